// Connection quality from getStats(): packet loss, round-trip time and frame rate, graded.

// good / fair / poor; a video that is off has no frame rate to judge.
export function grade({ loss = 0, rtt = 0, fps = null }) {
  if (loss > 0.08 || rtt > 0.6 || (fps !== null && fps < 8)) return "poor";
  if (loss > 0.02 || rtt > 0.3 || (fps !== null && fps < 15)) return "fair";
  return "good";
}

// Reads the statistics of one peer connection and keeps what the last reading was.
export class QualityMeter {
  constructor() {
    this.before = new Map();
  }

  // {rtt, inbound: Map(trackId -> {loss, fps, framesDecoded}), outbound: {loss, rtt}}
  async read(pc) {
    const report = await pc.getStats();
    let rtt = 0;
    const inbound = new Map();
    const outbound = { loss: 0, rtt: 0 };
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) {
        rtt = s.currentRoundTripTime;
      } else if (s.type === "inbound-rtp" && s.trackIdentifier) {
        const received = s.packetsReceived || 0;
        const lost = Math.max(0, s.packetsLost || 0);
        const last = this.before.get(s.id) || { received: 0, lost: 0 };
        const got = received - last.received + lost - last.lost;
        this.before.set(s.id, { received, lost });
        inbound.set(s.trackIdentifier, {
          kind: s.kind,
          loss: got > 0 ? (lost - last.lost) / got : 0,
          fps: s.kind === "video" ? s.framesPerSecond || 0 : null,
          packets: received,
          framesDecoded: s.framesDecoded || 0,
        });
      } else if (s.type === "remote-inbound-rtp") {
        outbound.loss = Math.max(outbound.loss, s.fractionLost || 0);
        outbound.rtt = Math.max(outbound.rtt, s.roundTripTime || 0);
      }
    });
    outbound.rtt = outbound.rtt || rtt;
    return { rtt, inbound, outbound };
  }
}
