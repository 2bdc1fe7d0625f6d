package hlscheck

import (
	"strings"
	"testing"
)

const goodMaster = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n" +
	"#EXT-X-STREAM-INF:BANDWIDTH=500000,AVERAGE-BANDWIDTH=400000,RESOLUTION=426x240,CODECS=\"avc1.4d401e,mp4a.40.2\",FRAME-RATE=25.000\nlow.m3u8\n" +
	"#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=854x480,CODECS=\"avc1.4d401e\"\nhigh.m3u8\n"

const goodMedia = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
	"#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"a-init.mp4\"\n#EXTINF:4.000000,\na-00000.m4s\n#EXTINF:2.500000,\na-00001.m4s\n#EXT-X-ENDLIST\n"

func TestMaster(t *testing.T) {
	vs, err := Master([]byte(goodMaster))
	if err != nil || len(vs) != 2 || vs[0].URI != "low.m3u8" || vs[0].Height != 240 || vs[1].Codecs != "avc1.4d401e" {
		t.Fatalf("Master = %+v, %v", vs, err)
	}
	bad := map[string]string{
		"no_header":          strings.TrimPrefix(goodMaster, "#EXTM3U\n"),
		"crlf":               strings.ReplaceAll(goodMaster, "\n", "\r\n"),
		"no_bandwidth":       strings.Replace(goodMaster, "BANDWIDTH=500000,AVERAGE-", "AVERAGE-", 1),
		"average_above_peak": strings.Replace(goodMaster, "AVERAGE-BANDWIDTH=400000", "AVERAGE-BANDWIDTH=600000", 1),
		"unquoted_codecs":    strings.Replace(goodMaster, `CODECS="avc1.4d401e"`, `CODECS=avc1.4d401e`, 1),
		"vp9_codecs":         strings.Replace(goodMaster, `CODECS="avc1.4d401e"`, `CODECS="vp09.00.10.08"`, 1),
		"no_resolution":      strings.Replace(goodMaster, "RESOLUTION=854x480,", "", 1),
		"absolute_uri":       strings.Replace(goodMaster, "high.m3u8", "https://elsewhere.example/high.m3u8", 1),
		"escaping_uri":       strings.Replace(goodMaster, "high.m3u8", "../high.m3u8", 1),
		"rooted_uri":         strings.Replace(goodMaster, "high.m3u8", "/v1/high.m3u8", 1),
		"dangling_inf":       strings.TrimSuffix(goodMaster, "high.m3u8\n"),
		"duplicate_attr":     strings.Replace(goodMaster, "RESOLUTION=854x480", "RESOLUTION=854x480,RESOLUTION=1x1", 1),
		"unknown_tag":        goodMaster + "#EXT-X-SESSION-KEY:METHOD=NONE\n",
		"old_version":        strings.Replace(goodMaster, "VERSION:7", "VERSION:3", 1),
	}
	for name, doc := range bad {
		if _, err := Master([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMedia(t *testing.T) {
	m, err := Media([]byte(goodMedia))
	if err != nil || m.Init != "a-init.mp4" || len(m.Segments) != 2 || m.Durations[1] != 2.5 || m.TargetDuration != 4 {
		t.Fatalf("Media = %+v, %v", m, err)
	}
	bad := map[string]string{
		"not_vod":          strings.Replace(goodMedia, "#EXT-X-PLAYLIST-TYPE:VOD\n", "", 1),
		"not_ended":        strings.TrimSuffix(goodMedia, "#EXT-X-ENDLIST\n"),
		"no_map":           strings.Replace(goodMedia, "#EXT-X-MAP:URI=\"a-init.mp4\"\n", "", 1),
		"over_target":      strings.Replace(goodMedia, "#EXTINF:4.000000", "#EXTINF:5.000000", 1),
		"segment_no_inf":   strings.Replace(goodMedia, "#EXTINF:2.500000,\n", "", 1),
		"escaping_segment": strings.Replace(goodMedia, "a-00001.m4s", "../a-00001.m4s", 1),
		"after_endlist":    goodMedia + "a-00002.m4s\n",
		"no_segments":      "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"a.mp4\"\n#EXT-X-ENDLIST\n",
	}
	for name, doc := range bad {
		if _, err := Media([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
