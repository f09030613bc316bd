// The video tiles: one per person (camera, name, firm, muted, speaking, connection quality) and
// one per shared screen, shown large.
import { fill } from "./strings.js";

function initials(name) {
  return (name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
}

function showTrack(video, track) {
  const current = video.srcObject && video.srcObject.getTracks()[0];
  if (current === track) return;
  video.srcObject = track ? new MediaStream([track]) : null;
  if (track) video.play().catch(() => {}); // muted, so autoplay is allowed
}

export class Tiles {
  constructor(container, template, strings) {
    this.container = container;
    this.template = template;
    this.strings = strings;
    this.tiles = new Map();
  }

  tile(key) {
    let tile = this.tiles.get(key);
    if (!tile) {
      tile = this.template.content.firstElementChild.cloneNode(true);
      tile.dataset.tile = key;
      this.tiles.set(key, tile);
      this.container.append(tile);
    }
    return tile;
  }

  // A person's tile: who they are, their camera (or initials when it is off), muted or not.
  person(key, person, track) {
    const tile = this.tile(key);
    const s = this.strings;
    const name = person.me ? fill(s.you_named, { name: person.name }) : person.name;
    tile.classList.toggle("is-me", Boolean(person.me));
    tile.classList.toggle("is-waiting", person.connected === false);
    tile.querySelector("[data-name]").textContent = name;
    tile.querySelector("[data-firm]").textContent = person.firm || "";
    tile.querySelector("[data-initials]").textContent = initials(person.name);
    const role = tile.querySelector("[data-role]");
    role.hidden = person.role !== "moderator";
    role.textContent = s.moderator;
    const video = tile.querySelector("video");
    const showing = Boolean(person.video && track);
    tile.classList.toggle("camera-off", !showing);
    showTrack(video, showing ? track : null);
    video.setAttribute("aria-label", fill(s.camera_of, { name: person.name }));
    tile.querySelector("[data-mic-off]").hidden = person.audio !== false;
    const status = tile.querySelector("[data-status]");
    status.hidden = person.connected !== false;
    status.textContent = s.connecting;
    return tile;
  }

  // A shared screen, large; `key` is the sharer's tile key.
  screen(key, person, track) {
    const screenKey = `screen:${key}`;
    if (!person.screen || !track) { this.remove(screenKey); return; }
    const tile = this.tile(screenKey);
    tile.classList.add("is-screen");
    tile.classList.remove("camera-off");
    const name = person.me ? this.strings.your_screen : fill(this.strings.screen_of, { name: person.name });
    tile.querySelector("[data-name]").textContent = name;
    tile.querySelector("[data-firm]").textContent = "";
    tile.querySelector("[data-mic-off]").hidden = true;
    tile.querySelector("[data-status]").hidden = true;
    tile.querySelector("[data-role]").hidden = true;
    const video = tile.querySelector("video");
    video.setAttribute("aria-label", name);
    showTrack(video, track);
    this.container.prepend(tile);
  }

  remove(key) {
    const tile = this.tiles.get(key);
    if (!tile) return;
    const video = tile.querySelector("video");
    video.srcObject = null;
    tile.remove();
    this.tiles.delete(key);
  }

  keys() {
    return [...this.tiles.keys()];
  }

  speaking(key, on) {
    const tile = this.tiles.get(key);
    if (!tile) return;
    tile.classList.toggle("is-speaking", on);
    tile.querySelector("[data-speaking]").hidden = !on;
  }

  quality(key, grade) {
    const tile = this.tiles.get(key);
    if (!tile) return;
    const badge = tile.querySelector("[data-quality]");
    badge.hidden = !grade;
    if (!grade) return;
    badge.dataset.quality = grade;
    badge.querySelector("[data-quality-text]").textContent = this.strings[`quality_${grade}`];
    badge.title = this.strings.quality;
  }

  // Lay out: a shared screen takes the stage, cameras line up beside it; two people: the other
  // one large and one's own camera a small picture in picture; else an even grid.
  arrange() {
    const screens = this.keys().filter((k) => k.startsWith("screen:"));
    const people = this.tiles.size - screens.length;
    this.container.classList.toggle("has-screen", screens.length > 0);
    this.container.classList.toggle("is-pair", screens.length === 0 && people === 2 && this.tiles.has("me"));
    this.container.dataset.count = String(Math.min(people, 6));
  }

  clear() {
    for (const key of this.keys()) this.remove(key);
  }
}
