// A visitor's chat with a booth: history, live answers from any staff member, sending.
import { renderMessage, sendOnEnter, showMessage } from "./chat-message.js";

const panel = document.querySelector("[data-booth-chat]");
const strings = document.getElementById("chat-strings")?.dataset;

if (panel && strings && window.io) {
  const booth = Number(panel.dataset.boothChat);
  let conversation = panel.dataset.conversation ? Number(panel.dataset.conversation) : null;
  const log = panel.querySelector("[data-chat-log]");
  const form = panel.querySelector("[data-chat-form]");
  const input = form.querySelector("textarea");
  const error = panel.querySelector("[data-chat-error]");
  const older = panel.querySelector("[data-older]");
  const socket = window.io("/booths", { transports: ["websocket"] });

  const render = (m) => renderMessage(m, strings, "from-staff", "from-me");
  const add = (m) => showMessage(log, render(m));
  const showError = (text) => { error.textContent = text; error.hidden = !text; };

  socket.on("connect", () => {
    socket.emit("open", { booth }, (reply) => {
      if (reply && reply.ok && reply.conversation) {
        conversation = reply.conversation;
        reply.messages.forEach(add);
      }
    });
  });
  socket.on("message", (m) => { if (m.booth === booth) { conversation = m.conversation; add(m); } });
  socket.on("removed", (m) => add(m));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const payload = conversation ? { booth, conversation, body } : { booth, body };
    socket.emit("send", payload, (reply) => {
      if (reply && reply.ok) {
        input.value = "";
        showError("");
        conversation = reply.message.conversation;
        add(reply.message);
      } else {
        showError((reply && reply.message) || strings.failed);
      }
    });
  });
  sendOnEnter(form);
  older?.addEventListener("click", () => {
    const first = log.querySelector("[data-message-id]");
    if (!first || !conversation) return;
    socket.emit("history", { booth, conversation, before: Number(first.dataset.messageId) },
      (reply) => {
        if (!reply || !reply.ok) return;
        reply.messages.slice().reverse().forEach((m) => log.prepend(render(m)));
        if (!reply.has_more) older.remove();
      });
  });
}
