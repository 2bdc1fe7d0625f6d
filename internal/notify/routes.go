package notify

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

var (
	readErrors  = []int{http.StatusUnauthorized, http.StatusUnprocessableEntity}
	writeErrors = []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity}
)

// register declares every notify JSON operation in one table; the stream
// and the unsubscribe link are plain handlers (registerStream).
func (s *Service) register(api huma.API) {
	const (
		get, post, put = http.MethodGet, http.MethodPost, http.MethodPut
		inbox, prefs   = "Notifications", "Notification preferences"
		ok, none       = http.StatusOK, http.StatusNoContent
	)
	huma.Register(api, operation("notification-list", get, "/v1/users/me/notifications", "Your notifications, newest first", inbox, ok, readErrors...), s.notificationList)
	huma.Register(api, operation("notification-unread-count", get, "/v1/users/me/notifications/unread-count", "How many of your notifications are unread", inbox, ok, readErrors...), s.notificationUnreadCount)
	huma.Register(api, operation("notification-read", post, "/v1/users/me/notifications/{id}/read", "Mark one notification read", inbox, none, writeErrors...), s.notificationRead)
	huma.Register(api, operation("notification-read-all", post, "/v1/users/me/notifications/read-all", "Mark all your notifications read", inbox, ok, writeErrors...), s.notificationReadAll)
	huma.Register(api, operation("notification-preferences-get", get, "/v1/users/me/notification-preferences", "Which notifications reach you on which channel", prefs, ok, readErrors...), s.preferencesGet)
	const hooks, del, created = "Webhooks", http.MethodDelete, http.StatusCreated
	huma.Register(api, operation("webhook-create", post, "/v1/webhooks", "Register a webhook for an author's events (its members and admins)", hooks, created,
		append([]int{http.StatusForbidden}, writeErrors...)...), s.webhookCreate)
	huma.Register(api, operation("webhook-get", get, "/v1/webhooks/{id}", "A webhook", hooks, ok, writeErrors...), s.webhookGet)
	huma.Register(api, operation("webhook-delete", del, "/v1/webhooks/{id}", "Remove a webhook and its delivery log", hooks, none, writeErrors...), s.webhookDelete)
	huma.Register(api, operation("webhook-delivery-list", get, "/v1/webhooks/{id}/deliveries", "A webhook's deliveries, newest first", hooks, ok, writeErrors...), s.webhookDeliveryList)
	huma.Register(api, operation("webhook-redeliver", post, "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "Send a delivery again (re-enables the webhook)", hooks, none, writeErrors...), s.webhookRedeliver)
	huma.Register(api, operation("push-subscription-create", post, "/v1/users/me/push-subscriptions", "Subscribe this browser to Web Push (a PushSubscription's JSON)", "Web Push", none,
		append([]int{http.StatusServiceUnavailable}, writeErrors...)...), s.pushSubscribe)
	huma.Register(api, operation("push-subscription-delete", del, "/v1/users/me/push-subscriptions", "Unsubscribe a browser from Web Push", "Web Push", none, writeErrors...), s.pushUnsubscribe)
	huma.Register(api, operation("device-create", post, "/v1/users/me/devices", "Register this device for mobile push (FCM or SNS)", "Mobile push", created,
		append([]int{http.StatusServiceUnavailable}, writeErrors...)...), s.deviceCreate)
	huma.Register(api, operation("device-delete", del, "/v1/users/me/devices/{id}", "Forget one of your devices", "Mobile push", none, writeErrors...), s.deviceDelete)
	vapid := operation("vapid-key", get, "/v1/notifications/vapid-public-key", "The server's VAPID public key (applicationServerKey)", "Web Push", ok, http.StatusServiceUnavailable)
	vapid.Security = nil
	huma.Register(api, vapid, s.vapidKey)
	huma.Register(api, operation("notification-preferences-put", put, "/v1/users/me/notification-preferences", "Choose channels per notification type (unnamed pairs take the default)", prefs, ok, writeErrors...), s.preferencesPut)
}

func operation(id, method, path, summary, tag string, status int, errors ...int) huma.Operation {
	op := huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: []string{tag},
		DefaultStatus: status, Errors: errors, Security: httpx.BearerSecurity()}
	if method == http.MethodPost || method == http.MethodPut {
		op.MaxBodyBytes = httpx.MaxJSONBody
	}
	return op
}
