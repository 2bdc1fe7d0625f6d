import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "./i18n";
import { Upload, uploadPercent } from "./components/Upload";

// A fake tus upload that hands its callbacks to the test.
type Opts = { onProgress: (s: number, t: number) => void; onSuccess: () => void; onError: (e: Error) => void };
const made: Opts[] = [];
vi.mock("tus-js-client", () => ({
  Upload: class {
    constructor(_file: File, public options: Opts) {
      made.push(options);
    }
    findPreviousUploads = async () => [];
    resumeFromPreviousUpload() {}
    start() {}
    abort() {}
  },
}));

describe("upload progress", () => {
  it("percent_never_reads_full_before_the_server_accepts", () => {
    expect(uploadPercent(0, 0)).toBe(0);
    expect(uploadPercent(999, 1000)).toBe(99);
    expect(uploadPercent(1000, 1000)).toBe(99);
    expect(uploadPercent(500, 1000)).toBe(50);
  });
  it("reaches_100_and_announces_completion_even_with_a_late_progress_event", async () => {
    const onDone = vi.fn();
    render(
      <I18nProvider locale="en">
        <Upload mediaId="m1" onDone={onDone} />
      </I18nProvider>,
    );
    // The live region is in the page before anything happens.
    const status = screen.getByRole("status");
    expect(status).toBeEmptyDOMElement();
    await userEvent.upload(screen.getByLabelText("File"), new File(["x".repeat(1000)], "a.ogg", { type: "audio/ogg" }));
    await userEvent.click(screen.getByRole("button", { name: "Upload" }));
    expect(status).toHaveTextContent("Upload started.");
    const o = made[made.length - 1];
    act(() => o.onProgress(600, 1000));
    const bar = screen.getByTestId("upload-progress") as HTMLProgressElement;
    expect(bar.value).toBe(60);
    act(() => o.onProgress(1000, 1000));
    expect(bar.value).toBe(99);
    act(() => o.onSuccess());
    act(() => o.onProgress(990, 1000)); // a straggler must not pull the bar back
    expect(bar.value).toBe(100);
    expect(bar.max).toBe(100);
    expect(bar).toHaveAttribute("aria-valuetext", "Upload complete; processing starts.");
    expect(status).toHaveTextContent("Upload complete; processing starts.");
    expect(onDone).toHaveBeenCalledTimes(1);
  });
});
