// The lobby: camera and microphone preview, device choice, what went wrong with them, and a
// countdown until the room opens; the Join button is enabled while the room is open.
import { deviceIdOf, fillSelect, listDevices, openOne, openDevices, stopTrack } from "./devices.js";
import { duration, fill } from "./strings.js";

export class Lobby {
  constructor(root, strings, times, levels) {
    this.root = root;
    this.s = strings;
    this.times = times;
    this.levels = levels;
    this.camera = null;
    this.microphone = null;
    this.problems = { camera: null, microphone: null };
    this.preview = root.querySelector("[data-preview]");
    this.cameraSelect = root.querySelector("[data-camera-select]");
    this.microphoneSelect = root.querySelector("[data-microphone-select]");
    this.meter = root.querySelector("[data-mic-meter]");
    this.problemBox = root.querySelector("[data-device-problem]");
    this.countdown = root.querySelector("[data-countdown]");
    this.joinButton = root.querySelector("[data-join]");
    this.micToggle = root.querySelector("[data-lobby-mic]");
    this.cameraToggle = root.querySelector("[data-lobby-camera]");
    this.retry = root.querySelector("[data-retry-devices]");
    this.cameraSelect.addEventListener("change", () => this.switchTo("camera", this.cameraSelect.value));
    this.microphoneSelect.addEventListener("change", () => this.switchTo("microphone", this.microphoneSelect.value));
    for (const toggle of [this.micToggle, this.cameraToggle]) {
      toggle.addEventListener("click", () => {
        toggle.setAttribute("aria-pressed", String(toggle.getAttribute("aria-pressed") !== "true"));
        this.showPreview();
      });
    }
    this.retry.addEventListener("click", () => this.open());
  }

  // Whether the user wants to start with the microphone / camera on.
  get wantsMicrophone() { return this.micToggle.getAttribute("aria-pressed") !== "true"; }
  get wantsCamera() { return this.cameraToggle.getAttribute("aria-pressed") !== "true"; }

  async open() {
    stopTrack(this.camera);
    stopTrack(this.microphone);
    const got = await openDevices({ cameraId: this.cameraSelect.value, microphoneId: this.microphoneSelect.value });
    this.camera = got.camera;
    this.microphone = got.microphone;
    this.problems = { camera: got.cameraProblem, microphone: got.microphoneProblem };
    await this.listChoices();
    this.showPreview();
    this.showProblems();
  }

  async listChoices() {
    const { cameras, microphones } = await listDevices();
    fillSelect(this.cameraSelect, cameras, deviceIdOf(this.camera), this.s.camera);
    fillSelect(this.microphoneSelect, microphones, deviceIdOf(this.microphone), this.s.microphone);
  }

  async switchTo(which, deviceId) {
    const kind = which === "camera" ? "video" : "audio";
    stopTrack(this[which]);
    const got = await openOne(kind, deviceId);
    this[which] = got.track;
    this.problems[which] = got.problem;
    this.showPreview();
    this.showProblems();
  }

  showPreview() {
    const on = Boolean(this.camera && this.wantsCamera);
    this.preview.srcObject = on ? new MediaStream([this.camera]) : null;
    this.preview.closest("[data-preview-box]").classList.toggle("camera-off", !on);
    this.cameraToggle.disabled = !this.camera;
    this.micToggle.disabled = !this.microphone;
    if (this.microphone) this.levels.watch("lobby", this.microphone);
  }

  showProblems() {
    const lines = [];
    for (const which of ["camera", "microphone"]) {
      const problem = this.problems[which];
      if (problem) lines.push(this.s[`${which}_${problem}`] || this.s[`${which}_failed`]);
    }
    if (lines.length) {
      lines.push(this.camera || this.microphone ? this.s.join_anyway : this.s.join_without_devices);
    }
    this.problemBox.replaceChildren(...lines.map((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }));
    this.problemBox.hidden = lines.length === 0;
    this.retry.hidden = lines.length === 0;
  }

  // The meter of the microphone, and the countdown with the Join button's state.
  tick(now = Date.now()) {
    if (this.meter && this.microphone) this.meter.value = Math.min(1, this.levels.level("lobby") * 4);
    const { opensAt, closesAt } = this.times;
    let text;
    let open = true;
    if (opensAt && now < opensAt) {
      open = false;
      text = fill(this.s.opens_in, { time: duration(opensAt - now) });
    } else if (closesAt && now >= closesAt) {
      open = false;
      text = this.s.closed_already;
    } else {
      text = this.s.open_now;
    }
    if (this.countdown.textContent !== text) this.countdown.textContent = text;
    this.joinButton.disabled = !open;
  }

  // The tracks the room starts with (the lobby keeps owning them for a rejoin).
  tracks() {
    return { microphone: this.microphone, camera: this.camera };
  }

  close() {
    stopTrack(this.camera);
    stopTrack(this.microphone);
    this.levels.unwatch("lobby");
  }
}
