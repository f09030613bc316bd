// One connection to the media server, in the fixed offer layout of docs/video.md: three
// sendonly m-lines (microphone, camera, screen), then audio, camera and screen recvonly per slot.
import { request } from "./signalling.js";

const DISCONNECTED_MS = 4000; // "disconnected" this long counts as failed: join again
const CONNECT_MS = 20000; // never connected by then: join again

function codecs(kind) {
  const caps = window.RTCRtpReceiver && RTCRtpReceiver.getCapabilities
    ? RTCRtpReceiver.getCapabilities(kind) : null;
  if (!caps) return null;
  const named = (pattern) => caps.codecs.filter((c) => pattern.test(c.mimeType));
  if (kind === "audio") return named(/^audio\/opus$/i);
  const vp8 = named(/^video\/vp8$/i);
  return [...(vp8.length ? vp8 : named(/^video\/h264$/i)), ...named(/^video\/rtx$/i)];
}

// VP8 (H264 where there is no VP8) with rtx, and Opus: codecs the server forwards as they are.
function prefer(transceiver, kind) {
  const wanted = transceiver.setCodecPreferences ? codecs(kind) : null;
  if (!wanted || !wanted.length) return;
  try {
    transceiver.setCodecPreferences(wanted);
  } catch {
    // a browser that refuses the list still offers its defaults, which include VP8 and Opus
  }
}

export class MediaLink {
  // hooks.state(name): "connected" | "failed"
  constructor({ socket, room, slots, iceServers, microphone, camera, hooks }) {
    this.socket = socket;
    this.room = room;
    this.slots = slots;
    this.hooks = hooks;
    this.pending = [];
    this.answered = false;
    this.closed = false;
    this.timers = new Set();
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    const sending = (kindOrTrack, kind) => {
      const t = this.pc.addTransceiver(kindOrTrack || kind, { direction: "sendonly" });
      prefer(t, kind);
      return t;
    };
    this.microphone = sending(microphone, "audio");
    this.camera = sending(camera, "video");
    this.screen = sending(null, "video");
    this.recv = [];
    for (let i = 0; i < slots; i += 1) {
      const slot = {};
      for (const [name, kind] of [["audio", "audio"], ["camera", "video"], ["screen", "video"]]) {
        slot[name] = this.pc.addTransceiver(kind, { direction: "recvonly" });
        prefer(slot[name], kind);
      }
      this.recv.push(slot);
    }
    this.pc.addEventListener("icecandidate", (event) => this.candidate(event.candidate));
    this.pc.addEventListener("connectionstatechange", () => this.watch());
    this.later(() => { if (this.pc.connectionState !== "connected") this.fail(); }, CONNECT_MS);
  }

  later(fn, ms) {
    const timer = window.setTimeout(() => { this.timers.delete(timer); fn(); }, ms);
    this.timers.add(timer);
    return timer;
  }

  // Offer, answer, then the candidates gathered meanwhile.
  async connect() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const reply = await request(this.socket, "offer", { room: this.room, sdp: this.pc.localDescription.sdp });
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: "answer", sdp: reply.sdp });
    this.answered = true;
    const pending = this.pending.splice(0);
    for (const candidate of pending) this.candidate(candidate);
  }

  candidate(candidate) {
    if (!candidate || !candidate.candidate || this.closed) return; // end of candidates: nothing to say
    if (!this.answered) { this.pending.push(candidate); return; }
    request(this.socket, "ice", {
      room: this.room,
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
    }).catch(() => {}); // a refused candidate shows as a connection that fails, then a rejoin
  }

  watch() {
    const state = this.pc.connectionState;
    if (state === "connected") {
      this.hooks.state("connected");
    } else if (state === "failed") {
      this.fail();
    } else if (state === "disconnected") {
      this.later(() => { if (this.pc.connectionState === "disconnected") this.fail(); }, DISCONNECTED_MS);
    }
  }

  fail() {
    if (this.closed) return;
    this.hooks.state("failed");
  }

  // The tracks another person's media arrives on: slot i's audio, camera and screen.
  tracksOf(slot) {
    const s = this.recv[slot];
    return s ? { audio: s.audio.receiver.track, camera: s.camera.receiver.track, screen: s.screen.receiver.track } : null;
  }

  // Send a track on the microphone, camera or screen m-line, or nothing (null).
  send(which, track) {
    return this[which].sender.replaceTrack(track || null);
  }

  close() {
    this.closed = true;
    for (const timer of this.timers) window.clearTimeout(timer);
    this.timers.clear();
    this.pc.close();
  }
}
