// Component tests of the video player (HLS through hls.js, native HLS, the
// file by range as the fallback) and the audio player's chapters, sleep
// timer and keyboard shortcuts.
import { QueryClient } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adoptSession, signOut } from "./api";
import { Providers } from "./App";
import AudioPlayer from "./players/AudioPlayer";
import { chapterAt, timedChapters } from "./players/Chapters";
import VideoPlayer, { playbackFor } from "./players/VideoPlayer";
import type { Media } from "./types";

// A stand-in for hls.js: records what the player asks of it and lets a test
// fire its events.
const hlsState = vi.hoisted(() => ({
  instances: [] as {
    config: unknown;
    source?: string;
    media?: HTMLMediaElement;
    destroyed: boolean;
    currentLevel: number;
    handlers: Record<string, (e: string, d: unknown) => void>;
  }[],
  supported: true,
}));
vi.mock("hls.js/light", () => {
  class FakeHls {
    static Events = { MANIFEST_PARSED: "hlsManifestParsed", ERROR: "hlsError" };
    static ErrorTypes = { MEDIA_ERROR: "mediaError", NETWORK_ERROR: "networkError" };
    static isSupported = () => hlsState.supported;
    state: (typeof hlsState.instances)[number];
    constructor(config: unknown) {
      this.state = { config, destroyed: false, currentLevel: -1, handlers: {} };
      hlsState.instances.push(this.state);
    }
    on(ev: string, fn: (e: string, d: unknown) => void) {
      this.state.handlers[ev] = fn;
    }
    loadSource(u: string) {
      this.state.source = u;
    }
    attachMedia(m: HTMLMediaElement) {
      this.state.media = m;
    }
    recoverMediaError() {}
    destroy() {
      this.state.destroyed = true;
    }
    set currentLevel(v: number) {
      this.state.currentLevel = v;
    }
  }
  return { default: FakeHls };
});

const media = (over: Partial<Media> = {}): Media => ({
  id: "v1",
  title: "A film",
  description: "",
  kind: "video",
  language: "en",
  author_ids: ["a1"],
  category_ids: [],
  tags: [],
  license: "",
  status: "published",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  version: 1,
  ...over,
});
const ladder = { hls_url: "/v1/media/v1/derivatives/hls.m3u8", renditions: [{ width: 320, height: 240, bandwidth: 400000 }] };

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("alexandria.locale", "en");
  hlsState.instances = [];
  hlsState.supported = true;
  fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    if (url.endsWith("/content/links") && init.method === "POST")
      return json({ url: "/v1/media/v1/signed/l1/9/s/content", derivatives_url: "/v1/media/v1/signed/l1/9/s/" }, 201);
    if (url.includes("waveform")) return json({ channels: 1, length: 4, bits: 8, data: [-10, 10, -50, 50, -100, 100, -20, 20] });
    return json({ status: 404, title: "Not Found" }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
  vi.stubGlobal("MediaSource", { isTypeSupported: () => true });
  vi.spyOn(HTMLMediaElement.prototype, "load").mockImplementation(() => {});
});
afterEach(async () => {
  await signOut();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function show(el: React.ReactElement) {
  const router = createMemoryRouter([{ path: "*", element: el }], { initialEntries: ["/media/v1"] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
}
const videoEl = () => document.querySelector("video") as HTMLVideoElement;
/** audioEl waits for the <audio>, which appears once its URL is resolved. */
const audioEl = async () => {
  await waitFor(() => expect(document.querySelector("audio")).toBeTruthy());
  return document.querySelector("audio") as HTMLAudioElement;
};

describe("video player", () => {
  it("chooses_hls_native_or_the_file", () => {
    const m = media({ streaming: ladder });
    expect(playbackFor(m, false, { native: false, mse: true })).toBe("hls");
    expect(playbackFor(m, false, { native: true, mse: true })).toBe("native");
    expect(playbackFor(m, false, { native: false, mse: false })).toBe("file");
    expect(playbackFor(m, true, { native: false, mse: true })).toBe("file");
    expect(playbackFor(media(), false, { native: true, mse: true })).toBe("file");
  });

  it("streams_the_ladder_with_hls_js_and_offers_its_levels", async () => {
    show(<VideoPlayer media={media({ streaming: ladder })} />);
    await waitFor(() => expect(hlsState.instances).toHaveLength(1));
    const h = hlsState.instances[0];
    expect(h.source).toBe("/v1/media/v1/derivatives/hls.m3u8");
    expect(h.media).toBe(videoEl());
    // No blob: worker (the CSP would refuse it).
    expect(h.config).toMatchObject({ enableWorker: false });
    expect(videoEl().dataset.playback).toBe("hls");
    expect(videoEl().getAttribute("src")).toBeNull();
    act(() => h.handlers.hlsManifestParsed("hlsManifestParsed", { levels: [{ height: 240, bitrate: 4e5 }, { height: 480, bitrate: 1e6 }] }));
    const quality = await screen.findByLabelText("Quality");
    expect(within(quality).getAllByRole("option").map((o) => o.textContent)).toEqual(["Auto", "240p", "480p"]);
    fireEvent.change(quality, { target: { value: "1" } });
    expect(h.currentLevel).toBe(1);
    // The content file is not asked for while HLS plays.
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes("/content"))).toBe(false);
  });

  it("falls_back_to_the_file_when_streaming_fails", async () => {
    show(<VideoPlayer media={media({ streaming: ladder })} />);
    await waitFor(() => expect(hlsState.instances).toHaveLength(1));
    const h = hlsState.instances[0];
    // A non-fatal error changes nothing.
    act(() => h.handlers.hlsError("hlsError", { fatal: false, type: "networkError" }));
    expect(videoEl().dataset.playback).toBe("hls");
    act(() => h.handlers.hlsError("hlsError", { fatal: true, type: "networkError" }));
    await waitFor(() => expect(videoEl().dataset.playback).toBe("file"));
    expect(h.destroyed).toBe(true);
    expect(videoEl().getAttribute("src")).toBe("/v1/media/v1/content");
  });

  it("plays_the_file_by_range_without_a_ladder_and_never_loads_hls_js", async () => {
    show(<VideoPlayer media={media()} />);
    await waitFor(() => expect(videoEl()).toBeTruthy());
    expect(videoEl().dataset.playback).toBe("file");
    expect(videoEl().getAttribute("src")).toBe("/v1/media/v1/content");
    expect(hlsState.instances).toHaveLength(0);
  });

  it("plays_hls_natively_where_the_browser_can", async () => {
    vi.spyOn(HTMLMediaElement.prototype, "canPlayType").mockImplementation((t) => (t === "application/vnd.apple.mpegurl" ? "maybe" : ""));
    show(<VideoPlayer media={media({ streaming: ladder })} />);
    await waitFor(() => expect(videoEl()?.getAttribute("src")).toBe("/v1/media/v1/derivatives/hls.m3u8"));
    expect(videoEl().dataset.playback).toBe("native");
    expect(hlsState.instances).toHaveLength(0);
  });

  it("streams_a_draft_under_a_signed_link", async () => {
    adoptSession(["e30", btoa(JSON.stringify({ sub: "u1", roles: ["author"], exp: 9999999999 })), "sig"].join("."));
    show(<VideoPlayer media={media({ streaming: ladder, status: "draft" })} />);
    await waitFor(() => expect(hlsState.instances).toHaveLength(1));
    expect(hlsState.instances[0].source).toBe("/v1/media/v1/signed/l1/9/s/hls.m3u8");
  });
});

describe("audio player", () => {
  const chapters = [
    { title: "Opening", start: 0, end: 10 },
    { title: "", start: 10 },
    { title: "Closing", start: 25, end: 40 },
  ];
  const episode = () => media({ id: "p1", kind: "podcast", title: "An episode", chapters, content: { size: 1, sha256: "x", content_type: "audio/ogg", duration_seconds: 40 } });

  it("resolves_chapter_ends", () => {
    const c = timedChapters([{ title: "b", start: 5 }, { title: "a", start: 0 }, { title: "toc", href: "c1.xhtml" }], 30);
    expect(c).toEqual([
      { title: "a", start: 0, end: 5 },
      { title: "b", start: 5, end: 30 },
    ]);
    expect(timedChapters([{ title: "x", start: 2 }])[0].end).toBe(Infinity);
    expect(chapterAt(c, 4.9)).toBe(0);
    expect(chapterAt(c, 5)).toBe(1);
  });

  it("lists_chapters_and_seeks_to_one", async () => {
    show(<AudioPlayer media={episode()} />);
    const nav = await screen.findByRole("navigation", { name: "Chapters" });
    const buttons = within(nav).getAllByRole("button");
    expect(buttons.map((b) => b.textContent)).toEqual(["0:00 Opening", "0:10 Chapter 2", "0:25 Closing"]);
    expect(buttons[0]).toHaveAttribute("aria-current", "true");
    const a = await audioEl();
    fireEvent.click(buttons[2]);
    expect(a.currentTime).toBe(25);
    fireEvent.timeUpdate(a);
    await waitFor(() => expect(buttons[2]).toHaveAttribute("aria-current", "true"));
    expect(buttons[0]).not.toHaveAttribute("aria-current");
  });

  it("keyboard_shortcuts_play_seek_change_speed_and_chapter", async () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
    show(<AudioPlayer media={episode()} />);
    const group = await screen.findByRole("group", { name: "An episode" });
    const a = await audioEl();
    fireEvent.keyDown(group, { key: " " });
    expect(play).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(group, { key: "n" });
    expect(a.currentTime).toBe(10);
    fireEvent.keyDown(group, { key: "ArrowRight" });
    expect(a.currentTime).toBe(40); // +30, held at the end
    a.currentTime = 12;
    fireEvent.keyDown(group, { key: "p" }); // within 3 s of chapter 2's start: back to chapter 1
    expect(a.currentTime).toBe(0);
    fireEvent.keyDown(group, { key: "]" });
    expect(screen.getByLabelText("Speed")).toHaveValue("1.25");
    expect(a.playbackRate).toBe(1.25);
    // A focused button keeps its own Space.
    fireEvent.keyDown(screen.getByRole("button", { name: "Back 15 seconds" }), { key: " " });
    expect(play).toHaveBeenCalledTimes(1);
    // The shortcuts are written down in the player.
    expect(screen.getByText("Keyboard shortcuts (when the player has focus)")).toBeInTheDocument();
    expect(screen.getByText("Previous chapter, next chapter")).toBeInTheDocument();
  });

  it("sleep_timer_stops_at_the_end_of_the_chapter", async () => {
    const pause = vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
    show(<AudioPlayer media={episode()} />);
    const sleep = await screen.findByLabelText("Sleep timer");
    expect(within(sleep).getAllByRole("option").map((o) => o.textContent)).toEqual(["Off", "End of this chapter", "15 min", "30 min", "60 min"]);
    const a = await audioEl();
    a.currentTime = 11;
    fireEvent.change(sleep, { target: { value: "chapter" } });
    expect(within(sleep).getAllByRole("option")[0]).toHaveTextContent("At the end of the chapter");
    a.currentTime = 20;
    fireEvent.timeUpdate(a);
    expect(pause).not.toHaveBeenCalled();
    a.currentTime = 24.9;
    fireEvent.timeUpdate(a);
    expect(pause).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(sleep).toHaveValue("off"));
  });

  it("sleep_timer_stops_after_the_minutes_chosen", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const pause = vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
      show(<AudioPlayer media={episode()} />);
      const sleep = await screen.findByLabelText("Sleep timer");
      fireEvent.change(sleep, { target: { value: "15" } });
      expect(within(sleep).getAllByRole("option")[0].textContent).toMatch(/^Stops in 1[45]:/);
      act(() => vi.advanceTimersByTime(14 * 60_000));
      expect(pause).not.toHaveBeenCalled();
      act(() => vi.advanceTimersByTime(61_000));
      expect(pause).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
