// The room page: the lobby first, then the call; the clock, the controls and the end.
import { Call } from "./call.js";
import { deviceIdOf, fillSelect, listDevices } from "./devices.js";
import { RoomChat } from "./chat.js";
import { Levels } from "./levels.js";
import { Lobby } from "./lobby.js";
import { connect } from "./signalling.js";
import { Tiles } from "./tiles.js";
import { announce, clockTime, duration, fill, loadStrings } from "./strings.js";

const root = document.querySelector("[data-room]");

function time(value) {
  return value ? Date.parse(value) : null;
}

function toggle(button, on) {
  button.setAttribute("aria-pressed", String(on));
}

function pressed(button) {
  return button.getAttribute("aria-pressed") === "true";
}

if (root && window.io && window.RTCPeerConnection) {
  const s = loadStrings("room-strings");
  const q = (selector) => root.querySelector(selector);
  const times = {
    opensAt: time(root.dataset.opensAt),
    endsAt: time(root.dataset.endsAt),
    warnAt: time(root.dataset.warnAt),
    closesAt: time(root.dataset.closesAt),
  };
  const levels = new Levels();
  const lobby = new Lobby(q("[data-lobby]"), s, times, levels);
  const stage = q("[data-stage]");
  const ended = q("[data-ended]");
  const statusLine = q("[data-room-status]");
  const announcer = q("[data-announcer]");
  const warning = q("[data-warning]");
  const timeLeft = q("[data-time-left]");
  const waiting = q("[data-waiting]");
  const buttons = {
    mute: q("[data-mute]"),
    camera: q("[data-camera-off]"),
    share: q("[data-share]"),
    leave: q("[data-leave]"),
    end: q("[data-end]"),
  };
  const socket = connect();
  const tiles = new Tiles(q("[data-tiles]"), document.getElementById("tile-template"), s);
  const chat = new RoomChat(q("[data-chat]"), s);
  let call = null;
  let warned = false;

  const ui = {
    announcer,
    audio: q("[data-audio-sink]"),
    status(text) {
      statusLine.textContent = text || "";
      statusLine.hidden = !text;
    },
    warning(payload) {
      if (warned) return;
      warned = true;
      const closes = payload && payload.closes_at ? time(payload.closes_at) : times.closesAt;
      warning.textContent = closes ? fill(s.warning_closes, { time: clockTime(closes) }) : s.warning;
      warning.hidden = false;
      announce(announcer, warning.textContent);
    },
    joined(reply) {
      if (reply.closes_at) times.closesAt = time(reply.closes_at);
      if (reply.ends_at) times.endsAt = time(reply.ends_at);
      if (reply.warn_at) times.warnAt = time(reply.warn_at);
      buttons.end.hidden = reply.role !== "moderator";
    },
    people(others) {
      waiting.hidden = others.length > 0;
    },
    shareEnded() {
      toggle(buttons.share, false);
      call.share(false);
    },
    ended(message, reason) {
      stage.hidden = true;
      lobby.root.hidden = true;
      ended.hidden = false;
      q("[data-ended-message]").textContent = message;
      q("[data-rejoin]").hidden = reason !== "left";
      ui.status(null);
      q("[data-ended-title]").focus();
    },
  };

  async function enterRoom() {
    levels.start();
    await devicesReady; // the tracks the call starts with (a quick click comes before them)
    lobby.root.hidden = true;
    ended.hidden = true;
    stage.hidden = false;
    const wants = { microphone: lobby.wantsMicrophone, camera: lobby.wantsCamera };
    if (!call) {
      call = new Call({ socket, room: root.dataset.room, strings: s, tiles, levels, chat, ui, tracks: lobby.tracks(), wants });
    }
    toggle(buttons.mute, !call.on.audio);
    toggle(buttons.camera, !call.on.video);
    buttons.mute.disabled = !lobby.microphone;
    buttons.camera.disabled = !lobby.camera;
    ui.status(s.joining);
    call.join();
    q("[data-stage-title]").focus();
  }

  q("[data-join]").addEventListener("click", enterRoom);
  q("[data-rejoin]").addEventListener("click", enterRoom);
  buttons.mute.addEventListener("click", () => {
    const muted = !pressed(buttons.mute);
    toggle(buttons.mute, muted);
    call.setMicrophone(!muted);
    announce(announcer, muted ? s.you_muted : s.you_unmuted);
  });
  buttons.camera.addEventListener("click", () => {
    const off = !pressed(buttons.camera);
    toggle(buttons.camera, off);
    call.setCamera(!off);
  });
  if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) buttons.share.hidden = true;
  buttons.share.addEventListener("click", async () => {
    const on = !pressed(buttons.share);
    try {
      await call.share(on);
      toggle(buttons.share, on);
    } catch {
      toggle(buttons.share, false); // the user closed the browser's picker
    }
  });
  // The device menu: change camera or microphone without leaving the call.
  const menu = q("[data-device-menu]");
  const devicesButton = q("[data-devices]");
  const menuError = q("[data-device-error]");
  const closeMenu = () => {
    menu.hidden = true;
    devicesButton.setAttribute("aria-expanded", "false");
    devicesButton.focus();
  };
  devicesButton.addEventListener("click", async () => {
    if (!menu.hidden) { closeMenu(); return; }
    const { cameras, microphones } = await listDevices();
    const tracks = call ? call.tracks : {};
    fillSelect(q("[data-call-camera]"), cameras, deviceIdOf(tracks.camera), s.camera);
    fillSelect(q("[data-call-microphone]"), microphones, deviceIdOf(tracks.microphone), s.microphone);
    menuError.hidden = true;
    menu.hidden = false;
    devicesButton.setAttribute("aria-expanded", "true");
    q("[data-call-camera]").focus();
  });
  for (const [selector, which] of [["[data-call-camera]", "camera"], ["[data-call-microphone]", "microphone"]]) {
    q(selector).addEventListener("change", async (event) => {
      if (!call) return;
      const problem = await call.switchDevice(which, event.target.value);
      menuError.textContent = problem ? (s[`${which}_${problem}`] || s[`${which}_failed`]) : "";
      menuError.hidden = !problem;
    });
  }
  q("[data-devices-close]").addEventListener("click", closeMenu);
  menu.addEventListener("keydown", (event) => { if (event.key === "Escape") closeMenu(); });
  buttons.leave.addEventListener("click", () => call && call.leave());
  buttons.end.addEventListener("click", async () => {
    if (!window.confirm(s.end_confirm)) return;
    try {
      await call.end();
    } catch (refusal) {
      ui.status(refusal.message || s.refused);
    }
  });
  socket.on("connect_error", (error) => {
    if (error && error.data && error.data.reason) ui.status(error.message);
  });

  // Once a second: the lobby's countdown, the time left in the room, the two-minute warning.
  let wasOpen = null;
  const tick = () => {
    const now = Date.now();
    if (!lobby.root.hidden) {
      lobby.tick(now);
      const open = !lobby.joinButton.disabled;
      if (wasOpen === false && open) announce(announcer, s.open_now);
      wasOpen = open;
    }
    if (!stage.hidden && times.endsAt) {
      const text = now < times.endsAt
        ? fill(s.time_left, { time: duration(times.endsAt - now) })
        : fill(s.overtime, { time: clockTime(times.closesAt || times.endsAt) });
      if (timeLeft.textContent !== text) timeLeft.textContent = text;
      if (times.warnAt && now >= times.warnAt) ui.warning(null);
    }
  };
  window.setInterval(tick, 250);
  tick();
  const devicesReady = lobby.open().then(tick);
  // WebAudio starts only after a gesture: the first key or click brings the meters to life
  for (const gesture of ["pointerdown", "keydown"]) document.addEventListener(gesture, () => levels.start(), { once: true });
  window.addEventListener("pagehide", () => { if (call && call.wanted) socket.emit("leave", { room: root.dataset.room }); });
} else if (root) {
  root.querySelector("[data-unsupported]").hidden = false;
}
