package storage

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// The routes storage serves on the mux (tus, the raw upload, downloads:
// they stream bodies huma would buffer) are described here, so that
// /openapi.json lists every route the process serves and clients and the
// gateway generation see them. Handlers stay on the mux.

func str(desc string) *huma.Schema { return &huma.Schema{Type: "string", Description: desc} }

func integer(desc string) *huma.Schema {
	return &huma.Schema{Type: "integer", Format: "int64", Minimum: new(float64), Description: desc}
}

func pathParam(name, desc string) *huma.Param {
	return &huma.Param{Name: name, In: "path", Required: true, Description: desc, Schema: str(desc)}
}

func header(name, desc string, required bool, schema *huma.Schema) *huma.Param {
	return &huma.Param{Name: name, In: "header", Required: required, Description: desc, Schema: schema}
}

var mediaIDParam = pathParam("id", "The media item's ID (a UUID)")

func problem(desc string) *huma.Response {
	return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
		"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}}}}
}

func tusHeaders(extra map[string]*huma.Param) map[string]*huma.Param {
	h := map[string]*huma.Param{"Tus-Resumable": {Description: "tus protocol version, 1.0.0", Schema: str("")}}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

var binarySchema = &huma.Schema{Type: "string", Format: "binarySchema"}

// describeRoutes adds storage's mux routes to the OpenAPI document.
func describeRoutes(api huma.API) {
	doc := api.OpenAPI()
	bearer := []map[string][]string{{httpx.BearerAuth: {}}}
	optionalBearer := []map[string][]string{{}, {httpx.BearerAuth: {}}}
	tusResumable := header("Tus-Resumable", "tus protocol version: 1.0.0", true, str(""))
	uploadID := pathParam("upload", "The upload's ID (a UUID, from the Location of its creation)")
	common := map[string]*huma.Response{
		"401": problem("Not signed in"), "403": problem("Not allowed"), "404": problem("No such upload or media item"),
	}
	with := func(own map[string]*huma.Response) map[string]*huma.Response {
		out := map[string]*huma.Response{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range own {
			out[k] = v
		}
		return out
	}
	tags := []string{"Uploads"}
	for _, op := range []*huma.Operation{
		{
			OperationID: "tus-options", Method: http.MethodOptions, Path: tusBase, Tags: tags,
			Summary:     "Discover the tus server's capabilities",
			Description: "tus 1.0 discovery: the version, the extensions (creation, termination, checksum (sha256), expiration) and the largest upload.",
			Responses: map[string]*huma.Response{"204": {Description: "Capabilities", Headers: map[string]*huma.Param{
				"Tus-Version": {Schema: str("")}, "Tus-Extension": {Schema: str("")}, "Tus-Max-Size": {Schema: integer("")},
				"Tus-Checksum-Algorithm": {Schema: str("")}}}},
		},
		{
			OperationID: "tus-create", Method: http.MethodPost, Path: tusBase, Tags: tags, Security: bearer,
			Summary: "Start a resumable upload (tus creation)",
			Description: "Creates an upload of Upload-Length bytes for a media item the caller may edit. Upload-Metadata carries " +
				"media_id and filename (base64 values). The kind's size limit and the caller's quota are checked before any byte " +
				"is kept. Send the bytes with PATCH requests to the Location; any storage replica may take any of them.",
			Parameters: []*huma.Param{tusResumable,
				header("Upload-Length", "The file's size in bytes", true, integer("")),
				header("Upload-Metadata", "tus metadata: media_id (required) and filename, base64-encoded", true, str(""))},
			Responses: with(map[string]*huma.Response{
				"201": {Description: "Created", Headers: tusHeaders(map[string]*huma.Param{
					"Location": {Description: "The upload's URL", Schema: str("")}, "Upload-Expires": {Schema: str("")}})},
				"400": problem("Missing or malformed header"), "413": problem("Larger than the kind's limit or the quota"),
			}),
		},
		{
			OperationID: "tus-head", Method: http.MethodHead, Path: tusBase + "/{upload}", Tags: tags, Security: bearer,
			Summary:     "How much of an upload arrived (tus)",
			Description: "Answers Upload-Offset, where to resume. Only the upload's creator may ask.",
			Parameters:  []*huma.Param{uploadID, tusResumable},
			Responses: with(map[string]*huma.Response{
				"200": {Description: "The upload's state", Headers: tusHeaders(map[string]*huma.Param{
					"Upload-Offset": {Schema: integer("")}, "Upload-Length": {Schema: integer("")}, "Upload-Expires": {Schema: str("")}})},
				"410": problem("The upload expired unfinished"),
			}),
		},
		{
			OperationID: "tus-patch", Method: http.MethodPatch, Path: tusBase + "/{upload}", Tags: tags, Security: bearer,
			Summary: "Send the next bytes of an upload (tus)",
			Description: "Appends the body at Upload-Offset. With Upload-Checksum (sha256 <base64>) the chunk is kept only when it " +
				"matches (else 460). The request carrying the last byte is answered once the file is checked, hashed and stored " +
				"(X-Content-SHA256), or refused (415) when its bytes are not an allowed format for the kind.",
			Parameters: []*huma.Param{uploadID, tusResumable,
				header("Upload-Offset", "The upload's current offset (from HEAD)", true, integer("")),
				header("Upload-Checksum", "sha256 <base64 digest> of this chunk", false, str("")),
				header("Content-Type", "application/offset+octet-stream", true, str(""))},
			RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
				"application/offset+octet-stream": {Schema: binarySchema}}},
			Responses: with(map[string]*huma.Response{
				"204": {Description: "Bytes kept", Headers: tusHeaders(map[string]*huma.Param{
					"Upload-Offset": {Schema: integer("")}, "X-Content-SHA256": {Description: "On the last chunk: the file's sha256", Schema: str("")}})},
				"409": problem("Upload-Offset is not the upload's offset"), "410": problem("The upload expired unfinished"),
				"415": problem("The file is not an allowed format for the kind"), "460": problem("Checksum mismatch"),
			}),
		},
		{
			OperationID: "tus-delete", Method: http.MethodDelete, Path: tusBase + "/{upload}", Tags: tags, Security: bearer,
			Summary:     "Abandon an upload (tus termination)",
			Description: "Drops the upload's bytes and its quota reservation.",
			Parameters:  []*huma.Param{uploadID, tusResumable},
			Responses:   with(map[string]*huma.Response{"204": {Description: "Abandoned", Headers: tusHeaders(nil)}}),
		},
		{
			OperationID: "put-media-content", Method: http.MethodPut, Path: "/v1/media/{id}/content", Tags: tags, Security: bearer,
			Summary: "Upload a media item's file in one request",
			Description: "The body is the whole file (at most storage.small_upload_max bytes; use tus above). It becomes the item's " +
				"current file once its bytes are an allowed format for the kind.",
			Parameters: []*huma.Param{mediaIDParam,
				header("Content-Length", "The file's size", true, integer("")),
				header("Content-Disposition", "attachment; filename=\"...\": display name of the file (sanitised; never used as a path)", false, str(""))},
			RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: binarySchema}}},
			Responses: with(map[string]*huma.Response{
				"201": {Description: "Stored", Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Type: "object"}}}},
				"413": problem("Larger than the limit or the quota"), "415": problem("Not an allowed format for the kind"),
			}),
		},
	} {
		doc.AddOperation(op)
	}

	download := func(id, method, path, summary, desc string, params []*huma.Param) *huma.Operation {
		return &huma.Operation{
			OperationID: id, Method: method, Path: path, Tags: []string{"Downloads"}, Security: optionalBearer,
			Summary: summary, Description: desc, Parameters: append(params,
				header("Range", "bytes=<first>-<last>, one range (206) or several (multipart/byteranges)", false, str("")),
				header("If-None-Match", "ETag of a copy the client holds (304)", false, str("")),
				header("If-Range", "Send the range only if the file still has this ETag", false, str(""))),
			Responses: map[string]*huma.Response{
				"200": {Description: "The whole file", Headers: map[string]*huma.Param{
					"ETag": {Schema: str("")}, "Accept-Ranges": {Schema: str("")}, "Content-Disposition": {Schema: str("")},
					"Cache-Control": {Schema: str("")}}, Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: binarySchema}}},
				"206": {Description: "The requested range(s)", Headers: map[string]*huma.Param{"Content-Range": {Schema: str("")}},
					Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: binarySchema}}},
				"302": {Description: "Redirect to a presigned URL of the object store (blob.presign_downloads)"},
				"304": {Description: "Not modified"}, "401": problem("The item is not published: sign in or use a signed link"),
				"403": problem("Not allowed, or a signed link that is invalid, expired or revoked"),
				"404": problem("No such item or file"), "416": problem("Range not satisfiable"),
			},
		}
	}
	linkParams := []*huma.Param{
		{Name: "link", In: "query", Description: "Signed link ID", Schema: str("")},
		{Name: "expires", In: "query", Description: "Signed link expiry (Unix seconds)", Schema: integer("")},
		{Name: "sig", In: "query", Description: "Signed link signature", Schema: str("")},
	}
	doc.AddOperation(download("get-media-content", http.MethodGet, "/v1/media/{id}/content", "Download a media item's file",
		"Streams the item's current file with ranges and conditional requests. Published items are public; drafts need a "+
			"member's token or a signed link (link, expires, sig).", append([]*huma.Param{mediaIDParam}, linkParams...)))
	doc.AddOperation(download("head-media-content", http.MethodHead, "/v1/media/{id}/content", "A media item's file's headers",
		"As GET, without the body.", append([]*huma.Param{mediaIDParam}, linkParams...)))
	doc.AddOperation(download("get-media-derivative", http.MethodGet, "/v1/media/{id}/derivatives/{name}",
		"Download a derivative of a media item's file",
		"Covers, thumbnails, waveforms, extracted text, storyboards and HLS renditions processing made of the current file.",
		append([]*huma.Param{mediaIDParam, pathParam("name", "The derivative's name, as the media JSON lists it")}, linkParams...)))
	doc.AddOperation(download("get-signed-derivative", http.MethodGet, "/v1/media/{id}/signed/{link}/{expires}/{sig}/{name}",
		"Download a derivative through a signed link in the path",
		"For players that resolve relative URLs (HLS playlists and their segments): the signature covers the item's derivatives.",
		[]*huma.Param{mediaIDParam, pathParam("link", "Signed link ID"), pathParam("expires", "Expiry (Unix seconds)"),
			pathParam("sig", "Signature"), pathParam("name", "The derivative's name")}))
}
