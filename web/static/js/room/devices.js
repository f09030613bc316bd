// Camera and microphone: opened with a reason when they fail, and the choices listed.

// getUserMedia's error names, grouped into what the page tells the user.
const PROBLEMS = {
  NotAllowedError: "denied",
  SecurityError: "denied",
  PermissionDeniedError: "denied",
  NotReadableError: "busy",
  TrackStartError: "busy",
  AbortError: "busy",
  NotFoundError: "missing",
  DevicesNotFoundError: "missing",
  OverconstrainedError: "missing",
};

export function problemOf(error) {
  return PROBLEMS[error && error.name] || "failed";
}

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

function constraints(kind, deviceId) {
  const base = kind === "video" ? { ...VIDEO } : { echoCancellation: true, noiseSuppression: true };
  if (deviceId) base.deviceId = { exact: deviceId };
  return base;
}

// One device's track, or the reason it could not be opened.
export async function openOne(kind, deviceId) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { track: null, problem: "unsupported" };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints(kind, deviceId) });
    return { track: stream.getTracks()[0], problem: null };
  } catch (error) {
    return { track: null, problem: problemOf(error) };
  }
}

// Camera and microphone together (one permission prompt); each alone when that fails.
export async function openDevices({ cameraId = "", microphoneId = "" } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { camera: null, microphone: null, cameraProblem: "unsupported", microphoneProblem: "unsupported" };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: constraints("audio", microphoneId),
      video: constraints("video", cameraId),
    });
    return {
      camera: stream.getVideoTracks()[0] || null,
      microphone: stream.getAudioTracks()[0] || null,
      cameraProblem: null,
      microphoneProblem: null,
    };
  } catch {
    const camera = await openOne("video", cameraId);
    const microphone = await openOne("audio", microphoneId);
    return {
      camera: camera.track,
      microphone: microphone.track,
      cameraProblem: camera.problem,
      microphoneProblem: microphone.problem,
    };
  }
}

// The cameras and microphones the browser lists (labels only once permission was given).
export async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
    return { cameras: [], microphones: [] };
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: devices.filter((d) => d.kind === "videoinput" && d.deviceId),
    microphones: devices.filter((d) => d.kind === "audioinput" && d.deviceId),
  };
}

// Fill a <select> with devices, keeping the chosen one (or the track's own device) selected.
export function fillSelect(select, devices, current, unnamed) {
  select.replaceChildren(...devices.map((device, index) => {
    const option = document.createElement("option");
    option.value = device.deviceId;
    option.textContent = device.label || `${unnamed} ${index + 1}`;
    option.selected = device.deviceId === current;
    return option;
  }));
  select.disabled = devices.length === 0;
}

export function deviceIdOf(track) {
  return (track && track.getSettings && track.getSettings().deviceId) || "";
}

export function stopTrack(track) {
  if (track) track.stop();
}
