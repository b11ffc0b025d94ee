// OrleansTok For You page: plain modules against the public HTTP API only.
// Every string from the API is written with textContent, never as HTML.

const state = { userId: localStorage.getItem("orleanstok.user") || "demo", token: null, ready: false, loading: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = { "content-type": "application/json" };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(data?.detail || data?.title || `${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// Development servers mint tokens at /dev/token; elsewhere the user pastes one.
async function signIn(userId) {
  try {
    const { token } = await api("POST", "/dev/token", { userId });
    state.token = token;
  } catch (e) {
    if (e.status === 404) {
      $("token-form").hidden = false;
      openMenu(true);
      throw new Error("This server has no development tokens: paste a bearer token for this user.");
    }
    throw e;
  }
}

async function useUser(userId, settings) {
  state.ready = false;
  await state.loading; // a page still loading for the previous user must not land in the new feed
  await signIn(userId);
  if (settings) {
    await api("POST", "/v1/users", { id: userId, ...settings });
  } else {
    await api("GET", `/v1/users/${encodeURIComponent(userId)}`);
  }
  state.userId = userId;
  state.ready = true;
  localStorage.setItem("orleanstok.user", userId);
  $("current-user").textContent = `@${userId}`;
  $("feed").replaceChildren();
  await Promise.all([loadPage(), refreshProfile(), loadTrending()]);
}

// ---------------------------------------------------------------- feed
function hue(text) {
  let h = 0;
  for (const c of text) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

// One page at a time; callers during a load share it. Nothing loads before a user is signed in.
function loadPage() {
  if (!state.ready) return Promise.resolve();
  state.loading ??= (async () => {
    $("feed-status").textContent = "Loading…";
    try {
      const page = await api("GET", `/v1/users/${encodeURIComponent(state.userId)}/feed?count=10`);
      for (const item of page.items) $("feed").append(card(item, page.requestId));
      $("feed-status").textContent = page.items.length ? "" : "Nothing new right now.";
    } catch (e) {
      $("feed-status").textContent = `Could not load the feed: ${e.message}`;
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

function card(item, requestId) {
  const node = $("card-template").content.firstElementChild.cloneNode(true);
  node.dataset.videoId = item.videoId;
  node.dataset.creatorId = item.creatorId;
  node.dataset.soundId = item.soundId;
  node.dataset.hashtags = item.hashtags.join(" ");
  node.setAttribute("aria-label", `${item.caption} by @${item.creatorId}`);
  const h = hue(item.hashtags[0] || item.videoId);
  node.querySelector(".screen").style.background = `linear-gradient(160deg, hsl(${h} 65% 45%), hsl(${(h + 40) % 360} 60% 25%))`;
  node.querySelector(".caption").textContent = item.caption || "(no caption)";
  node.querySelector(".tags").textContent = item.hashtags.map((t) => `#${t}`).join(" ");
  node.querySelector(".creator").textContent = `@${item.creatorId}`;
  node.querySelector(".sound").textContent = `♪ ${item.soundId}`;
  node.querySelector(".source").textContent = item.source;
  node.querySelector(".reason").textContent = item.recycled ? `${item.reason} (seen before)` : item.reason;
  for (const button of node.querySelectorAll("button[data-action]")) {
    const label = { hide_creator: `Hide creator @${item.creatorId}`, hide_sound: `Hide sound ${item.soundId}`, follow: `Follow @${item.creatorId}` }[button.dataset.action];
    if (label) button.setAttribute("aria-label", label);
    button.addEventListener("click", () => act(node, item, requestId, button));
  }
  player.observe(node);
  node.playback = { started: null, elapsed: 0, duration: item.durationMs || 15000, sent: false };
  return node;
}

// A card "plays" while it is on screen; reaching the end counts as a full view.
const player = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const p = entry.target.playback;
    if (!p) continue;
    if (entry.isIntersecting) p.started ??= performance.now();
    else if (p.started) { p.elapsed += performance.now() - p.started; p.started = null; }
  }
}, { threshold: 0.6 });

setInterval(() => {
  for (const node of document.querySelectorAll(".card")) {
    const p = node.playback;
    if (!p || p.sent) continue;
    const watched = p.elapsed + (p.started ? performance.now() - p.started : 0);
    const percent = Math.min(100, (watched / p.duration) * 100);
    node.querySelector(".bar").style.width = `${percent}%`;
    node.querySelector(".progress").setAttribute("aria-valuenow", Math.round(percent));
    if (percent >= 100) node.querySelector('button[data-action="watch"]').click();
  }
}, 200);

function watchedMs(node) {
  const p = node.playback;
  return Math.round(p.elapsed + (p.started ? performance.now() - p.started : 0));
}

async function send(events) {
  return api("POST", `/v1/users/${encodeURIComponent(state.userId)}/interactions`, { events });
}

function event(item, requestId, type, watchMs) {
  const e = { eventId: crypto.randomUUID(), videoId: item.videoId, type, feedRequestId: requestId };
  if (watchMs !== undefined) e.watchMs = watchMs;
  return e;
}

async function act(node, item, requestId, button) {
  const action = button.dataset.action;
  try {
    switch (action) {
      case "watch":
        node.playback.sent = true;
        await send([event(item, requestId, "view", node.playback.duration)]);
        node.querySelector(".bar").style.width = "100%";
        node.classList.add("done");
        break;
      case "skip":
        node.playback.sent = true;
        await send([event(item, requestId, "view", Math.min(watchedMs(node), 1000))]);
        node.classList.add("done");
        node.nextElementSibling?.focus();
        break;
      case "like": case "favorite": {
        const on = button.getAttribute("aria-pressed") !== "true";
        await send([event(item, requestId, action === "like" ? (on ? "like" : "unlike") : "favorite")]);
        button.setAttribute("aria-pressed", action === "favorite" ? "true" : String(on));
        break;
      }
      case "follow":
        await api("PUT", `/v1/users/${encodeURIComponent(state.userId)}/following/${encodeURIComponent(item.creatorId)}`);
        button.textContent = "Following";
        button.disabled = true;
        break;
      case "not_interested":
        await send([event(item, requestId, "not_interested")]);
        node.remove();
        break;
      case "hide_creator":
        await send([event(item, requestId, "hide_creator")]);
        removeWhere((n) => n.dataset.creatorId === item.creatorId);
        break;
      case "hide_sound":
        await send([event(item, requestId, "hide_sound")]);
        removeWhere((n) => n.dataset.soundId === item.soundId);
        break;
      default:
        await send([event(item, requestId, action)]);
    }
    button.dataset.done = "true";
  } catch (e) {
    $("feed-status").textContent = `That did not work: ${e.message}`;
  }
  await refreshProfile();
  if (!document.querySelector(".card:not(.done)")) await loadPage();
}

function removeWhere(predicate) {
  for (const n of [...document.querySelectorAll(".card")]) if (predicate(n)) n.remove();
}

// Fetch the next page when the user nears the end.
new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadPage(); }, { rootMargin: "400px" })
  .observe($("more-button"));

// ---------------------------------------------------------------- profile and trending
function weights(list, target) {
  const max = Math.max(0.001, ...list.map((w) => Math.abs(w.weight)));
  target.replaceChildren(...list.map((w) => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = w.name;
    const bar = document.createElement("span");
    bar.className = "w";
    const fill = document.createElement("i");
    fill.style.width = `${(Math.abs(w.weight) / max) * 100}%`;
    if (w.weight < 0) fill.className = "neg";
    bar.append(fill);
    const value = document.createElement("span");
    value.className = "n";
    value.textContent = w.weight.toFixed(2);
    li.append(name, bar, value);
    return li;
  }));
}

async function refreshProfile() {
  try {
    const p = await api("GET", `/v1/users/${encodeURIComponent(state.userId)}/profile`);
    $("count-served").textContent = p.served;
    $("count-watched").textContent = p.watched;
    $("count-likes").textContent = p.likes;
    weights(p.hashtags.map((w) => ({ ...w, name: `#${w.name}` })), $("profile-hashtags"));
    weights(p.creators.map((w) => ({ ...w, name: `@${w.name}` })), $("profile-creators"));
    weights(p.sounds, $("profile-sounds"));
    $("profile-following").textContent = p.following.map((c) => `@${c}`).join(", ") || "nobody yet";
    $("profile-hidden").textContent = [...p.hiddenCreators.map((c) => `@${c}`), ...p.hiddenSounds.map((s) => `♪ ${s}`)].join(", ") || "nothing";
  } catch (e) {
    $("profile-hidden").textContent = `Profile unavailable: ${e.message}`;
  }
}

async function loadTrending() {
  try {
    const me = await api("GET", `/v1/users/${encodeURIComponent(state.userId)}`);
    const t = await api("GET", `/v1/trending?country=${me.country}&language=${me.language}&count=10`);
    $("trending-list").replaceChildren(...t.items.map((i) => {
      const li = document.createElement("li");
      li.textContent = `${i.hashtags.map((h) => `#${h}`).join(" ")} · @${i.creatorId}`;
      return li;
    }));
  } catch {
    $("trending-list").replaceChildren();
  }
}

// ---------------------------------------------------------------- menu
function openMenu(open) {
  $("user-menu").hidden = !open;
  $("menu-button").setAttribute("aria-expanded", String(open));
}

$("menu-button").addEventListener("click", () => openMenu($("user-menu").hidden));
$("more-button").addEventListener("click", () => loadPage());
$("reset-button").addEventListener("click", async () => {
  await api("POST", `/v1/users/${encodeURIComponent(state.userId)}/feed/reset`);
  $("feed").replaceChildren();
  await Promise.all([loadPage(), refreshProfile()]);
});

async function fromMenu(work) {
  $("menu-status").textContent = "";
  try {
    await work();
    openMenu(false);
  } catch (e) {
    $("menu-status").textContent = e.message;
  }
}

$("switch-form").addEventListener("submit", (e) => {
  e.preventDefault();
  fromMenu(() => useUser($("switch-id").value.trim()));
});
$("create-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const interests = $("create-interests").value.split(",").map((s) => s.trim().replace(/^#/, "")).filter(Boolean);
  fromMenu(() => useUser($("create-id").value.trim(), { language: $("create-language").value, country: $("create-country").value, deviceType: "web", interests }));
});
$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("token-input").value.trim();
  fromMenu(() => useUser(state.userId));
});

useUser(state.userId).catch((e) => { $("feed-status").textContent = e.message; });
