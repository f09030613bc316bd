// Being in the room: joining through /rooms, the media link, the people's tiles, the controls,
// and joining again by itself after a network drop.
import { openOne, stopTrack } from "./devices.js";
import { MediaLink } from "./link.js";
import { QualityMeter, grade } from "./quality.js";
import { FINAL, request } from "./signalling.js";
import { announce, fill } from "./strings.js";

const RETRY_MS = [1000, 2000, 3000, 5000];

export class Call {
  constructor({ socket, room, strings, tiles, levels, chat, ui, tracks, wants }) {
    this.socket = socket;
    this.room = room;
    this.s = strings;
    this.tiles = tiles;
    this.levels = levels;
    this.chat = chat;
    this.ui = ui; // {status(text|null), announcer, ended(message), joined(reply), warning(payload)}
    this.tracks = tracks; // {microphone, camera}
    this.on = { audio: wants.microphone && Boolean(tracks.microphone), video: wants.camera && Boolean(tracks.camera), screen: false };
    this.screenTrack = null;
    this.link = null;
    this.wanted = false;
    this.joining = false;
    this.attempt = 0;
    this.people = [];
    this.known = null; // user ids present, for "joined" / "left" announcements
    this.meter = new QualityMeter();
    this.timers = [];
    this.listen();
  }

  listen() {
    const mine = (payload) => payload && payload.room === this.room;
    this.socket.on("peers", (p) => { if (mine(p)) this.showPeople(p.peers); });
    this.socket.on("chat", (p) => { if (mine(p) && p.message) this.chat.add(p.message); });
    this.socket.on("room-warning", (p) => { if (mine(p)) this.ui.warning(p); });
    this.socket.on("room-closed", (p) => { if (mine(p)) this.finish(p.message || this.s.room_closed); });
    this.socket.on("disconnect", (reason) => {
      if (!this.wanted) return;
      this.drop();
      this.ui.status(this.s.reconnecting);
      // the server closed us on purpose (e.g. a restart): socket.io does not retry that itself
      if (reason === "io server disconnect") window.setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on("connect", () => { if (this.wanted && !this.link) this.join(); });
  }

  // Join (or join again): the join event, one peer connection, the offer; retried until final.
  async join() {
    if (this.joining) return;
    this.wanted = true;
    this.joining = true;
    this.drop();
    try {
      const reply = await request(this.socket, "join", { room: this.room });
      if (!this.wanted) return;
      this.peer = reply.peer;
      this.chat.attach(this.socket, this.room);
      this.chat.history(reply.chat);
      this.link = new MediaLink({
        socket: this.socket,
        room: this.room,
        slots: reply.slots,
        iceServers: reply.ice_servers,
        microphone: this.on.audio ? this.tracks.microphone : null,
        camera: this.on.video ? this.tracks.camera : null,
        hooks: { state: (state) => this.linkState(state) },
      });
      window.fieraRoom = { pc: this.link.pc, peer: reply.peer, socket: this.socket }; // for the browser tests
      await this.link.connect();
      if (this.screenTrack) await this.link.send("screen", this.screenTrack);
      this.sendState();
      this.ui.joined(reply);
      this.showPeople(reply.peers || []);
      this.startLoops();
    } catch (refusal) {
      console.warn("joining the room failed:", refusal.reason, refusal.message);
      this.drop();
      if (FINAL.has(refusal.reason)) {
        this.finish(refusal.message || this.s[`refused_${refusal.reason}`] || this.s.refused, refusal.reason);
      } else if (this.wanted) {
        this.ui.status(this.s.reconnecting);
        const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
        this.attempt += 1;
        window.setTimeout(() => { if (this.wanted && this.socket.connected) this.join(); }, wait);
      }
    } finally {
      this.joining = false;
    }
  }

  linkState(state) {
    if (state === "connected") {
      this.attempt = 0;
      this.ui.status(null);
    } else if (state === "failed" && this.wanted) {
      this.ui.status(this.s.reconnecting);
      request(this.socket, "leave", { room: this.room }).catch(() => {});
      this.drop();
      if (this.socket.connected) this.join();
    }
  }

  // Close the peer connection and forget the people shown; the local tracks stay open.
  drop() {
    for (const timer of this.timers) window.clearInterval(timer);
    this.timers = [];
    if (this.link) this.link.close();
    this.link = null;
    for (const key of this.tiles.keys()) {
      if (key !== "me") { this.tiles.remove(key); this.levels.unwatch(key); }
    }
    this.ui.audio.replaceChildren();
  }

  // Everyone in the room, as the server says: tiles, audio, and who came or went.
  showPeople(peers) {
    if (!this.link) { this.people = peers; return; }
    this.people = peers;
    const shown = new Set(["me"]);
    for (const person of peers) {
      if (person.me) {
        const me = { ...person, ...this.on, connected: true };
        this.tiles.person("me", me, this.tracks.camera);
        this.tiles.screen("me", me, this.screenTrack);
        if (this.screenTrack) shown.add("screen:me");
        continue;
      }
      const tracks = this.link.tracksOf(person.slot);
      if (!tracks) continue;
      const key = `peer:${person.peer}`;
      shown.add(key);
      this.tiles.person(key, person, tracks.camera);
      this.tiles.screen(key, person, tracks.screen);
      if (person.screen) shown.add(`screen:${key}`);
      this.playAudio(key, tracks.audio);
    }
    if (!peers.some((p) => p.me)) {
      this.tiles.person("me", { name: this.s.you, firm: "", me: true, ...this.on }, this.tracks.camera);
    }
    for (const key of this.tiles.keys()) {
      if (!shown.has(key)) { this.tiles.remove(key); this.levels.unwatch(key); this.removeAudio(key); }
    }
    this.tiles.arrange();
    this.announceChanges(peers);
    this.ui.people(peers.filter((p) => !p.me));
  }

  playAudio(key, track) {
    let audio = this.ui.audio.querySelector(`[data-audio="${CSS.escape(key)}"]`);
    if (!audio) {
      audio = document.createElement("audio");
      audio.dataset.audio = key;
      audio.autoplay = true;
      audio.srcObject = new MediaStream([track]);
      this.ui.audio.append(audio);
      audio.play().catch(() => {});
      this.levels.watch(key, track); // Chromium feeds WebAudio from a remote track only while it plays
    }
  }

  removeAudio(key) {
    const audio = this.ui.audio.querySelector(`[data-audio="${CSS.escape(key)}"]`);
    if (audio) { audio.srcObject = null; audio.remove(); }
  }

  announceChanges(peers) {
    const others = new Map(peers.filter((p) => !p.me).map((p) => [p.user, p.name]));
    if (this.known === null) {
      const names = [...others.values()];
      announce(this.ui.announcer, names.length ? fill(this.s.in_room, { names: names.join(", ") }) : this.s.alone);
    } else {
      for (const [user, name] of others) if (!this.known.has(user)) announce(this.ui.announcer, fill(this.s.joined, { name }));
      for (const [user, name] of this.known) if (!others.has(user)) announce(this.ui.announcer, fill(this.s.left, { name }));
    }
    this.known = others;
  }

  // Who is speaking (10 times a second) and connection quality (every 2 s).
  startLoops() {
    this.timers.push(window.setInterval(() => {
      for (const key of this.tiles.keys()) {
        if (key.startsWith("screen:")) continue;
        this.tiles.speaking(key, this.levels.speaking(key === "me" ? "me" : key));
      }
    }, 100));
    this.timers.push(window.setInterval(() => this.showQuality(), 2000));
    if (this.tracks.microphone) this.levels.watch("me", this.on.audio ? this.tracks.microphone : null);
  }

  async showQuality() {
    if (!this.link) return;
    const link = this.link;
    const stats = await this.meter.read(link.pc).catch(() => null);
    if (!stats || link !== this.link) return;
    this.tiles.quality("me", grade(this.on.audio || this.on.video ? stats.outbound : { rtt: stats.rtt }));
    for (const person of this.people) {
      if (person.me) continue;
      const tracks = link.tracksOf(person.slot);
      if (!tracks) continue;
      const video = stats.inbound.get(tracks.camera.id);
      const audio = stats.inbound.get(tracks.audio.id);
      const loss = Math.max(video ? video.loss : 0, audio ? audio.loss : 0);
      const fps = person.video && video ? video.fps : null;
      this.tiles.quality(`peer:${person.peer}`, person.connected === false ? null : grade({ loss, rtt: stats.rtt, fps }));
    }
  }

  sendState() {
    if (!this.link) return;
    request(this.socket, "state", { room: this.room, ...this.on }).catch(() => {});
    const me = this.people.find((p) => p.me);
    if (me) this.showPeople(this.people.map((p) => (p.me ? { ...p, ...this.on } : p)));
  }

  async setMicrophone(on) {
    this.on.audio = on && Boolean(this.tracks.microphone);
    if (this.link) await this.link.send("microphone", this.on.audio ? this.tracks.microphone : null);
    this.levels.watch("me", this.on.audio ? this.tracks.microphone : null);
    this.sendState();
  }

  async setCamera(on) {
    this.on.video = on && Boolean(this.tracks.camera);
    if (this.tracks.camera) this.tracks.camera.enabled = this.on.video;
    if (this.link) await this.link.send("camera", this.on.video ? this.tracks.camera : null);
    this.sendState();
  }

  // Change camera or microphone during the call: the new track replaces the old one on its
  // m-line (replaceTrack, no renegotiation). Answers the problem when the device did not open.
  async switchDevice(which, deviceId) {
    const got = await openOne(which === "camera" ? "video" : "audio", deviceId);
    if (!got.track) return got.problem;
    const old = this.tracks[which];
    this.tracks[which] = got.track;
    const on = which === "camera" ? this.on.video : this.on.audio;
    if (which === "camera") got.track.enabled = on;
    if (this.link && on) await this.link.send(which, got.track);
    if (which === "microphone" && on) this.levels.watch("me", got.track);
    stopTrack(old);
    if (this.people.length) this.showPeople(this.people);
    return null;
  }

  // Share a screen or window on the screen m-line; stops when the browser's own bar stops it.
  async share(on) {
    if (on) {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      this.screenTrack = stream.getVideoTracks()[0];
      this.screenTrack.addEventListener("ended", () => this.ui.shareEnded());
    } else if (this.screenTrack) {
      this.screenTrack.stop();
      this.screenTrack = null;
    }
    this.on.screen = Boolean(this.screenTrack);
    if (this.link) await this.link.send("screen", this.screenTrack);
    this.sendState();
  }

  async leave() {
    this.wanted = false;
    await request(this.socket, "leave", { room: this.room }).catch(() => {});
    this.finish(this.s.you_left, "left");
  }

  async end() {
    await request(this.socket, "end", { room: this.room });
  }

  // Out of the room for good: everything closed, the reason shown.
  finish(message, reason = "closed") {
    this.wanted = false;
    this.drop();
    this.tiles.clear();
    if (this.screenTrack) this.screenTrack.stop();
    this.screenTrack = null;
    this.ui.ended(message, reason);
  }
}
