// A visitor's chat with a booth: history, live answers from any staff member, sending.
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

  const render = (m) => {
    const li = document.createElement("li");
    li.className = `chat-message ${m.from_staff ? "from-staff" : "from-me"}`;
    li.dataset.messageId = m.id;
    const sender = document.createElement("span");
    sender.className = "chat-sender";
    sender.textContent = m.sender;
    const body = document.createElement("span");
    body.className = "chat-body";
    if (m.removed) {
      const em = document.createElement("em");
      em.textContent = strings.removed;
      body.append(em);
    } else {
      body.textContent = m.body;  // text, never HTML
    }
    li.append(sender, body);
    return li;
  };
  const add = (m) => {
    const existing = log.querySelector(`[data-message-id="${m.id}"]`);
    if (existing) { existing.replaceWith(render(m)); return; }
    log.append(render(m));
    log.scrollTop = log.scrollHeight;
  };
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
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
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
