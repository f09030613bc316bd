// The staff inbox: every conversation of the booth live, answering, unread counts.
import { renderMessage, sendOnEnter, showMessage } from "./chat-message.js";

const inbox = document.querySelector("[data-staff-inbox]");
const strings = document.getElementById("chat-strings")?.dataset;

if (inbox && strings && window.io) {
  const booth = Number(inbox.dataset.staffInbox);
  const current = inbox.dataset.conversation ? Number(inbox.dataset.conversation) : null;
  const list = inbox.querySelector("[data-conversation-list]");
  const log = inbox.querySelector("[data-chat-log]");
  const form = inbox.querySelector("[data-chat-form]");
  const error = inbox.querySelector("[data-chat-error]");
  const socket = window.io("/booths", { transports: ["websocket"] });

  const render = (m) => renderMessage(m, strings, "from-me", "from-visitor");
  const addToLog = (m) => { if (log) showMessage(log, render(m)); };
  const touchConversation = (m) => {
    let item = list.querySelector(`[data-conversation-item="${m.conversation}"]`);
    if (!item) {
      inbox.querySelector("[data-no-conversations]")?.remove();
      item = document.createElement("li");
      item.dataset.conversationItem = m.conversation;
      const link = document.createElement("a");
      link.href = `?c=${m.conversation}`;
      const name = document.createElement("strong");
      name.textContent = m.visitor_name;
      const preview = document.createElement("span");
      preview.className = "preview";
      preview.dataset.preview = "";
      const badge = document.createElement("span");
      badge.className = "count-badge";
      badge.dataset.unread = "";
      badge.hidden = true;
      badge.textContent = "0";
      link.append(name);
      if (m.visitor_firm) {
        const firm = document.createElement("span");
        firm.className = "meta";
        firm.textContent = m.visitor_firm;
        link.append(firm);
      }
      link.append(preview);
      item.append(link, badge);
    }
    list.prepend(item);
    item.querySelector("[data-preview]").textContent = m.removed ? strings.removed : m.body.slice(0, 60);
    if (!m.from_staff && m.conversation !== current) {
      const badge = item.querySelector("[data-unread]");
      badge.textContent = String(Number(badge.textContent || 0) + 1);
      badge.hidden = false;
    }
  };

  socket.on("connect", () => socket.emit("staff_join", { booth }, (reply) => {
    // a message that came between this page's rendering and the join: show it by reloading
    if (reply && reply.ok && reply.latest > Number(inbox.dataset.latest || 0)) location.reload();
  }));
  socket.on("message", (m) => {
    if (m.booth !== booth) return;
    touchConversation(m);
    if (m.conversation === current) {
      addToLog(m);
      if (!m.from_staff) socket.emit("read", { booth, conversation: current, last: m.id });
    }
  });
  socket.on("removed", (m) => { if (m.conversation === current) addToLog(m); });

  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.querySelector("textarea");
    const body = input.value.trim();
    if (!body) return;
    socket.emit("send", { booth, conversation: current, body }, (reply) => {
      if (reply && reply.ok) { input.value = ""; error.hidden = true; addToLog(reply.message); }
      else { error.textContent = (reply && reply.message) || strings.failed; error.hidden = false; }
    });
  });
  if (form) sendOnEnter(form);
  log?.addEventListener("click", (event) => {
    const id = event.target.dataset?.remove;
    if (!id) return;
    socket.emit("remove", { message: Number(id), fair: inbox.dataset.fair }, (reply) => {
      if (reply && reply.ok) event.target.remove();
    });
  });
}
