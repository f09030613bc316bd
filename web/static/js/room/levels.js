// Sound levels of audio tracks (WebAudio analysers): who is speaking, and microphone meters.

const SPEAKING = 0.015; // RMS above which someone is talking (the fake microphone's beep passes)
const HOLD_MS = 700; // a speaker stays highlighted through short pauses

export class Levels {
  constructor() {
    this.context = null;
    this.watched = new Map();
  }

  // Start (or resume) the audio context; call from a user gesture such as the Join click.
  start() {
    if (!this.context) this.context = new AudioContext();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
  }

  watch(key, track) {
    this.unwatch(key);
    if (!track) return;
    this.start();
    const source = this.context.createMediaStreamSource(new MediaStream([track]));
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.watched.set(key, { source, analyser, data: new Float32Array(analyser.fftSize), heard: 0 });
  }

  unwatch(key) {
    const entry = this.watched.get(key);
    if (!entry) return;
    entry.source.disconnect();
    this.watched.delete(key);
  }

  // The track's current loudness, 0 (silence) to about 1.
  level(key) {
    const entry = this.watched.get(key);
    if (!entry) return 0;
    entry.analyser.getFloatTimeDomainData(entry.data);
    let sum = 0;
    for (const value of entry.data) sum += value * value;
    return Math.sqrt(sum / entry.data.length);
  }

  speaking(key, now = performance.now()) {
    const entry = this.watched.get(key);
    if (!entry) return false;
    if (this.level(key) > SPEAKING) entry.heard = now;
    return now - entry.heard < HOLD_MS;
  }

  close() {
    for (const key of [...this.watched.keys()]) this.unwatch(key);
    if (this.context) this.context.close().catch(() => {});
    this.context = null;
  }
}
