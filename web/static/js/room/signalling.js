// The /rooms Socket.IO namespace: every event answered, as a promise that rejects on refusal.

export class Refusal extends Error {
  constructor(reason, message) {
    super(message || reason);
    this.reason = reason;
  }
}

// Reasons after which joining again cannot help: the room is not (or no longer) for us.
export const FINAL = new Set(["not-found", "forbidden", "cancelled", "not-open", "closed", "full"]);

export function connect() {
  return window.io("/rooms", { transports: ["websocket"], reconnectionDelayMax: 2000 });
}

export function request(socket, event, payload, timeout = 15000) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeout).emit(event, payload, (error, reply) => {
      if (error) reject(new Refusal("timeout", ""));
      else if (!reply || !reply.ok) reject(new Refusal((reply && reply.reason) || "failed", reply && reply.message));
      else resolve(reply);
    });
  });
}
