// hls.js ships the light build (no subtitles, alternate audio or DRM: the
// ladder processing makes needs none of them) without a "types" condition
// in its exports map; its API is the full build's.
declare module "hls.js/light" {
  export * from "hls.js";
  export { default } from "hls.js";
}
