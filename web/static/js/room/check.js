// The device and connection check: your camera and microphone sent through the media server and
// back (the room "check"), side by side with the local preview, and a verdict.
import { Levels } from "./levels.js";
import { MediaLink } from "./link.js";
import { openDevices, stopTrack } from "./devices.js";
import { QualityMeter } from "./quality.js";
import { connect, request } from "./signalling.js";
import { loadStrings } from "./strings.js";

// `join` names the device check "check" (with the fair); the answer gives this check's own room
const CHECK = "check";
const GIVE_UP_MS = 15000;
const root = document.querySelector("[data-device-check]");

if (root && window.io && window.RTCPeerConnection) {
  const s = loadStrings("check-strings");
  const q = (selector) => root.querySelector(selector);
  const levels = new Levels();
  const socket = connect();
  const meter = new QualityMeter();
  let devices = null;
  let link = null;
  let poll = null;
  let room = null;

  const mark = (name, state) => {
    const item = q(`[data-check="${name}"]`);
    item.dataset.state = state;
    item.querySelector("[data-check-state]").textContent = s[state];
  };

  const verdict = (key, good) => {
    const box = q("[data-verdict]");
    box.textContent = s[key];
    box.className = `alert ${good ? "alert-success" : "alert-error"}`;
    box.hidden = false;
  };

  const stop = () => {
    if (poll) window.clearInterval(poll);
    poll = null;
    if (link) { link.close(); request(socket, "leave", { room }).catch(() => {}); }
    link = null;
  };

  async function run() {
    stop();
    levels.start();
    q("[data-verdict]").hidden = true;
    q("[data-start]").disabled = true;
    for (const name of ["camera", "microphone", "connection"]) mark(name, "checking");
    if (devices) { stopTrack(devices.camera); stopTrack(devices.microphone); }
    devices = await openDevices();
    q("[data-local]").srcObject = devices.camera ? new MediaStream([devices.camera]) : null;
    levels.watch("local", devices.microphone);
    if (!devices.camera) mark("camera", "failed");
    if (!devices.microphone) mark("microphone", "failed");
    const problems = [devices.cameraProblem && s[`camera_${devices.cameraProblem}`],
      devices.microphoneProblem && s[`microphone_${devices.microphoneProblem}`]].filter(Boolean);
    const box = q("[data-device-problem]");
    box.textContent = problems.join(" ");
    box.hidden = problems.length === 0;
    try {
      const reply = await request(socket, "join", { room: CHECK, fair: root.dataset.deviceCheck });
      room = reply.room || CHECK;
      link = new MediaLink({
        socket, room, slots: reply.slots, iceServers: reply.ice_servers,
        microphone: devices.microphone, camera: devices.camera,
        hooks: { state: (state) => { if (state === "failed") finish(); } },
      });
      window.fieraRoom = { pc: link.pc, peer: reply.peer }; // for the browser tests' getStats()
      await link.connect();
      request(socket, "state", { room, audio: Boolean(devices.microphone), video: Boolean(devices.camera), screen: false }).catch(() => {});
      const back = link.tracksOf(0);
      q("[data-returned]").srcObject = new MediaStream([back.camera]);
      const audio = q("[data-returned-audio]");
      audio.srcObject = new MediaStream([back.audio]); // muted: it only feeds the meter
      audio.play().catch(() => {});
      levels.watch("returned", back.audio);
    } catch (refusal) {
      q("[data-device-problem]").textContent = refusal.message && refusal.message !== refusal.reason ? refusal.message : s.join_failed;
      q("[data-device-problem]").hidden = false;
      finish();
      return;
    }
    const started = Date.now();
    poll = window.setInterval(async () => {
      const current = link;
      if (!current) return;
      const stats = await meter.read(current.pc).catch(() => null);
      if (!stats || current !== link) return;
      const back = current.tracksOf(0);
      const video = stats.inbound.get(back.camera.id);
      const sound = stats.inbound.get(back.audio.id);
      if (current.pc.connectionState === "connected") mark("connection", "working");
      if (devices.camera && video && video.framesDecoded > 0) mark("camera", "working");
      if (devices.microphone && sound && sound.packets > 0) mark("microphone", "working");
      const all = ["camera", "microphone", "connection"].every((n) => q(`[data-check="${n}"]`).dataset.state !== "checking");
      if (all || Date.now() - started > GIVE_UP_MS) finish();
    }, 1000);
  }

  // Whatever is still being checked failed; say what that means.
  function finish() {
    if (poll) window.clearInterval(poll);
    poll = null;
    for (const name of ["camera", "microphone", "connection"]) {
      if (q(`[data-check="${name}"]`).dataset.state === "checking") mark(name, "failed");
    }
    const state = (name) => q(`[data-check="${name}"]`).dataset.state;
    if (state("connection") !== "working") verdict("verdict_connection", false);
    else if (state("camera") !== "working" && state("microphone") !== "working") verdict("verdict_devices", false);
    else if (state("camera") !== "working") verdict("verdict_camera", false);
    else if (state("microphone") !== "working") verdict("verdict_microphone", false);
    else verdict("verdict_ok", true);
    q("[data-start]").disabled = false;
    q("[data-start]").textContent = s.again;
  }

  window.setInterval(() => {
    q("[data-local-meter]").value = Math.min(1, levels.level("local") * 4);
    q("[data-returned-meter]").value = Math.min(1, levels.level("returned") * 4);
  }, 150);
  q("[data-start]").addEventListener("click", run);
  socket.on("connect_error", (error) => {
    if (error && error.data && error.data.reason) verdict("verdict_connection", false);
  });
  window.addEventListener("pagehide", stop);
} else if (root) {
  root.querySelector("[data-unsupported]").hidden = false;
}
