package notify

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// describeRoutes adds notify's plain routes (registerStream: the SSE stream
// and the one-click unsubscribe link, which huma would buffer or answer as
// JSON) to the OpenAPI document, so /openapi.json lists every route the
// process serves. Handlers stay on the mux.
func describeRoutes(api huma.API) {
	doc := api.OpenAPI()
	str := func(desc string) *huma.Schema { return &huma.Schema{Type: "string", Description: desc} }
	problem := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}}}}
	}
	token := &huma.Param{Name: "token", In: "query", Required: true,
		Description: "The signed token of the e-mail's unsubscribe link", Schema: str("")}
	doc.AddOperation(&huma.Operation{
		OperationID: "notification-stream", Method: http.MethodGet, Path: "/v1/users/me/notifications/stream",
		Tags: []string{"Notifications"}, Security: httpx.BearerSecurity(),
		Summary: "Your new notifications as they arrive (Server-Sent Events)",
		Description: "A text/event-stream: each notification is an event named notification whose id is the notification's " +
			"ID and whose data is the notification's JSON (as in the list). A client reconnecting with Last-Event-ID gets " +
			"what it missed; without it the stream starts after the newest notification. Comments keep idle connections " +
			"open through proxies (notify.stream_heartbeat); the stream ends when the server drains.",
		Parameters: []*huma.Param{{Name: "Last-Event-ID", In: "header",
			Description: "The id of the last event received", Schema: str("")}},
		Responses: map[string]*huma.Response{
			"200": {Description: "The event stream", Content: map[string]*huma.MediaType{
				"text/event-stream": {Schema: str("id: <notification id>, event: notification, data: <notification JSON>")}}},
			"401": problem("Not signed in"),
			"422": problem("Last-Event-ID is not a notification's id"),
		},
	})
	doc.AddOperation(&huma.Operation{
		OperationID: "notification-unsubscribe-page", Method: http.MethodGet, Path: "/v1/notifications/unsubscribe",
		Tags:    []string{"Notification preferences"},
		Summary: "The page an e-mail's unsubscribe link opens",
		Description: "Changes nothing (link scanners fetch links): an HTML page whose button POSTs the same token. " +
			"The token is the credential; no sign-in is needed.",
		Parameters: []*huma.Param{token},
		Responses: map[string]*huma.Response{
			"200": {Description: "The confirmation page", Content: map[string]*huma.MediaType{"text/html": {Schema: str("")}}},
		},
	})
	doc.AddOperation(&huma.Operation{
		OperationID: "notification-unsubscribe", Method: http.MethodPost, Path: "/v1/notifications/unsubscribe",
		Tags:    []string{"Notification preferences"},
		Summary: "Stop the e-mails of one notification type (one-click unsubscribe, RFC 8058)",
		Description: "Turns off the e-mail channel for the notification type and user the token names; the other " +
			"preferences stay. Mail clients POST List-Unsubscribe=One-Click to the List-Unsubscribe URL. The token is the " +
			"credential; no sign-in is needed. Idempotent.",
		Parameters: []*huma.Param{token},
		Responses: map[string]*huma.Response{
			"204": {Description: "Unsubscribed"},
			"422": problem("Not a valid unsubscribe link"),
		},
	})
}
