// The room's text chat: history from the join answer, live messages, sending.
import { sendOnEnter } from "../chat-message.js";
import { clockTime } from "./strings.js";
import { request } from "./signalling.js";

export class RoomChat {
  constructor(panel, strings) {
    this.panel = panel;
    this.strings = strings;
    this.log = panel.querySelector("[data-chat-log]");
    this.form = panel.querySelector("[data-chat-form]");
    this.input = this.form.querySelector("textarea");
    this.error = panel.querySelector("[data-chat-error]");
    this.seen = new Set();
    this.socket = null;
    this.room = null;
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    sendOnEnter(this.form);
  }

  attach(socket, room) {
    this.socket = socket;
    this.room = room;
  }

  // Show the history afresh (a rejoin brings it again).
  history(messages) {
    this.log.replaceChildren();
    this.seen.clear();
    (messages || []).forEach((m) => this.add(m));
  }

  add(message) {
    const key = `${message.at}|${message.name}|${message.text}`;
    if (this.seen.has(key)) return; // our own message comes back as an event too
    this.seen.add(key);
    const li = document.createElement("li");
    li.className = "chat-message room-chat-message";
    const head = document.createElement("span");
    head.className = "chat-sender";
    head.textContent = message.name;
    const time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = clockTime(message.at);
    head.append(" ", time);
    const body = document.createElement("span");
    body.className = "chat-body";
    body.textContent = message.text;
    li.append(head, body);
    this.log.append(li);
    this.log.scrollTop = this.log.scrollHeight;
  }

  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  async send() {
    const text = this.input.value.trim();
    if (!text || !this.socket) return;
    try {
      const reply = await request(this.socket, "chat", { room: this.room, text });
      this.input.value = "";
      this.showError("");
      if (reply.message) this.add(reply.message);
    } catch (refusal) {
      this.showError(refusal.message && refusal.message !== refusal.reason ? refusal.message : this.strings.chat_failed);
    }
  }
}
