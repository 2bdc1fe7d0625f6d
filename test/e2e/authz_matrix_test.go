package e2e

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authzRule is one row of the matrix: who may call an operation.
type authzRule struct {
	// allow lists the callers (names from authzActors, space-separated)
	// who get past authorisation; every other caller must be denied with
	// 401, 403 or 404.
	allow string
	// pass lists statuses that count as allowed besides 2xx and 3xx: the
	// caller got past authorisation and the service refused the request
	// for another reason (a code that cannot be right, a resource that
	// cannot exist in the test).
	pass []int
}

func (r authzRule) allows(actor string) bool { return slices.Contains(strings.Fields(r.allow), actor) }

// authzMatrix is the declared table: operationId → who may call it.
var authzMatrix = map[string]authzRule{
	"email-verify":           {allow: "reader author member owner moderator admin token:write"},
	"password-reset":         {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"password-reset-confirm": {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read", pass: []int{400}}, // a token nobody was sent: 400 for everyone, past authorisation
	// Storage's routes. The seeded item has no file, so the reads below only
	// show that nobody gets a file that does not exist; the writes run on a
	// fresh draft (content) or a fresh unfinished upload (tus).
	"get-media-content":             {allow: ""},
	"head-media-content":            {allow: ""},
	"get-media-derivative":          {allow: ""},
	"get-signed-derivative":         {allow: ""},
	"put-media-content":             {allow: "member owner", pass: []int{415}}, // a text body for a podcast: refused by type after authorisation
	"tus-options":                   {allow: "anonymous reader author member owner moderator admin token:read"},
	"tus-create":                    {allow: "member owner"},
	"tus-head":                      {allow: "owner"},
	"tus-patch":                     {allow: "owner"},
	"tus-delete":                    {allow: "owner"},
	"analytics-dead-letter-list":    {allow: "admin"},
	"analytics-dead-letter-purge":   {allow: "admin"},
	"analytics-dead-letter-replay":  {allow: "admin", pass: []int{404}},
	"api-token-create":              {allow: "reader author member owner moderator admin"},
	"api-token-delete":              {allow: "owner"},
	"api-token-list":                {allow: "reader author member owner moderator admin token:read"},
	"author-create":                 {allow: "author member owner moderator admin token:write"},
	"author-delete":                 {allow: "owner moderator admin token:write"},
	"author-get":                    {allow: "anonymous reader author member owner moderator admin token:read"},
	"author-list":                   {allow: "anonymous reader author member owner moderator admin token:read"},
	"author-member-add":             {allow: "owner moderator admin token:write", pass: []int{503}}, // token:write: 503, identity refuses the forwarded write-only token (known, see docs/reliability.md)
	"author-member-list":            {allow: "member owner moderator admin"},
	"author-member-remove":          {allow: "owner moderator admin token:write"},
	"author-member-update":          {allow: "owner moderator admin token:write"},
	"author-purge":                  {allow: "admin"},
	"author-restore":                {allow: "owner moderator admin token:write"},
	"author-stats":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"author-stats-timeseries":       {allow: "member owner"},
	"author-update":                 {allow: "owner moderator admin token:write"},
	"browser-session-create":        {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"browser-session-delete":        {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"browser-session-refresh":       {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"catalog-dead-letter-list":      {allow: "admin"},
	"catalog-dead-letter-purge":     {allow: "admin"},
	"catalog-dead-letter-replay":    {allow: "admin", pass: []int{404}},
	"category-create":               {allow: "moderator admin token:write"},
	"category-delete":               {allow: "moderator admin token:write"},
	"category-get":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"category-list":                 {allow: "anonymous reader author member owner moderator admin token:read"},
	"category-purge":                {allow: "admin"},
	"category-restore":              {allow: "moderator admin token:write"},
	"category-update":               {allow: "moderator admin token:write"},
	"collection-create":             {allow: "reader author member owner moderator admin token:write"},
	"collection-delete":             {allow: "owner"},
	"collection-get":                {allow: "owner"},
	"collection-item-add":           {allow: "owner"},
	"collection-item-list":          {allow: "owner"},
	"collection-item-remove":        {allow: "owner"},
	"collection-item-reorder":       {allow: "owner"},
	"collection-list":               {allow: "reader author member owner moderator admin token:read"},
	"collection-update":             {allow: "owner"},
	"device-create":                 {allow: "reader author member owner moderator admin token:write", pass: []int{503}},
	"device-delete":                 {allow: ""},
	"engagement-dead-letter-list":   {allow: "admin"},
	"engagement-dead-letter-purge":  {allow: "admin"},
	"engagement-dead-letter-replay": {allow: "admin", pass: []int{404}},
	"feed-get":                      {allow: "reader author member owner moderator admin token:read"},
	"feed-token-create":             {allow: "reader author member owner moderator admin token:write"},
	"feed-token-delete":             {allow: "owner"},
	"feed-token-list":               {allow: "reader author member owner moderator admin token:read"},
	"feeds-dead-letter-list":        {allow: "admin"},
	"feeds-dead-letter-purge":       {allow: "admin"},
	"feeds-dead-letter-replay":      {allow: "admin", pass: []int{404}},
	"follow-delete":                 {allow: "reader author member owner moderator admin token:write"},
	"follow-list":                   {allow: "reader author member owner moderator admin token:read"},
	"follow-put":                    {allow: "reader author member owner moderator admin token:write"},
	"identity-dead-letter-list":     {allow: "admin"},
	"identity-dead-letter-purge":    {allow: "admin"},
	"identity-dead-letter-replay":   {allow: "admin", pass: []int{404}},
	"lake-compact":                  {allow: "admin"},
	"like-delete":                   {allow: "reader author member owner moderator admin token:write"},
	"like-put":                      {allow: "reader author member owner moderator admin token:write"},
	"media-access":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"media-content-link-create":     {allow: ""},
	"media-content-link-list":       {allow: "member owner moderator admin"},
	"media-content-link-revoke":     {allow: ""},
	"media-create":                  {allow: "member owner"},
	"media-delete":                  {allow: "member owner moderator admin token:write"},
	"media-get":                     {allow: "anonymous reader author member owner moderator admin token:read"},
	"media-list":                    {allow: "anonymous reader author member owner moderator admin token:read"},
	"media-purge":                   {allow: "admin"},
	"media-restore":                 {allow: "moderator admin token:write"},
	"media-search":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"media-stats":                   {allow: "anonymous reader author member owner moderator admin token:read"},
	"media-update":                  {allow: "member owner"},
	"notification-list":             {allow: "reader author member owner moderator admin token:read"},
	"notification-preferences-get":  {allow: "reader author member owner moderator admin token:read"},
	"notification-preferences-put":  {allow: "reader author member owner moderator admin token:write"},
	"notification-read":             {allow: "owner"},
	"notification-read-all":         {allow: "reader author member owner moderator admin token:write"},
	"notification-unread-count":     {allow: "reader author member owner moderator admin token:read"},
	// The SSE stream reads like the list; the unsubscribe link's token is
	// its credential, so anyone holding it may use it (the scoped tokens
	// are refused by their scope, as on every operation).
	"notification-stream":           {allow: "reader author member owner moderator admin token:read"},
	"notification-unsubscribe":      {allow: "anonymous reader author member owner moderator admin token:write"},
	"notification-unsubscribe-page": {allow: "anonymous reader author member owner moderator admin token:read"},
	"notify-dead-letter-list":       {allow: "admin"},
	"notify-dead-letter-purge":      {allow: "admin"},
	"notify-dead-letter-replay":     {allow: "admin", pass: []int{404}},
	"oidc-callback":                 {allow: ""},
	"oidc-provider-list":            {allow: "anonymous reader author member owner moderator admin token:read"},
	"oidc-identity-delete":          {allow: ""}, // nobody has a link here: 404 for every caller
	"oidc-identity-list":            {allow: "reader author member owner moderator admin"},
	"oidc-start":                    {allow: "anonymous reader author member owner moderator admin token:read", pass: []int{404, 422}},
	"passkey-begin":                 {allow: "reader author member owner moderator admin"},
	"passkey-create":                {allow: "reader author member owner moderator admin", pass: []int{422}},
	"passkey-delete":                {allow: ""},
	"passkey-list":                  {allow: "reader author member owner moderator admin token:read"},
	"passkey-signin":                {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read", pass: []int{401, 422}},
	"passkey-signin-begin":          {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"popular-list":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"processing-dead-letter-list":   {allow: "admin"},
	"processing-dead-letter-purge":  {allow: "admin"},
	"processing-dead-letter-replay": {allow: "admin", pass: []int{404}},
	"progress-list":                 {allow: "reader author member owner moderator admin token:read"},
	"progress-put":                  {allow: "reader author member owner moderator admin token:write token:progress:write"},
	"push-subscription-create":      {allow: "reader author member owner moderator admin token:write"},
	"push-subscription-delete":      {allow: "owner"},
	"related-list":                  {allow: "anonymous reader author member owner moderator admin token:read"},
	"report-create":                 {allow: "reader author member owner moderator admin token:write"},
	"report-list":                   {allow: "moderator admin token:read"},
	"report-resolve":                {allow: "moderator admin token:write"},
	"search":                        {allow: "anonymous reader author member owner moderator admin token:read"},
	"search-dead-letter-list":       {allow: "admin"},
	"search-dead-letter-purge":      {allow: "admin"},
	"search-dead-letter-replay":     {allow: "admin", pass: []int{404}},
	"search-suggest":                {allow: "anonymous reader author member owner moderator admin token:read"},
	"second-factor-get":             {allow: "reader author member owner moderator admin token:read"},
	"session-delete":                {allow: "reader author member owner moderator admin"},
	"session-end":                   {allow: "owner"},
	"session-end-all":               {allow: "reader author member owner moderator admin"},
	"session-list":                  {allow: "reader author member owner moderator admin token:read"},
	"signing-key-list":              {allow: "admin"},
	"signing-key-rotate":            {allow: "admin"},
	"storage-dead-letter-list":      {allow: "admin"},
	"storage-dead-letter-purge":     {allow: "admin"},
	"storage-dead-letter-replay":    {allow: "admin", pass: []int{404}},
	"token-create":                  {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"token-refresh":                 {allow: "anonymous reader author member owner moderator admin token:read token:write token:admin token:progress:write token:feeds:read"},
	"totp-confirm":                  {allow: "reader author member owner moderator admin", pass: []int{409, 422}},
	"totp-create":                   {allow: "reader author member owner moderator admin"},
	"totp-delete":                   {allow: "reader author member owner moderator admin", pass: []int{409, 422}},
	"trending-list":                 {allow: "anonymous reader author member owner moderator admin token:read"},
	"user-create":                   {allow: "anonymous reader author member owner moderator admin token:write"},
	"user-delete":                   {allow: "admin"},
	"user-get":                      {allow: "anonymous reader author member owner moderator admin token:read"},
	"user-list":                     {allow: "admin"},
	"user-me-get":                   {allow: "reader author member owner moderator admin token:read token:feeds:read"},
	"user-me-update":                {allow: "reader author member owner moderator admin token:write"},
	"user-password-change":          {allow: "reader author member owner moderator admin"},
	"user-reinstate":                {allow: "moderator admin token:write"},
	"user-suspend":                  {allow: "moderator admin token:write"},
	"user-update":                   {allow: "admin"},
	"vapid-key":                     {allow: "anonymous reader author member owner moderator admin token:read"},
	"view-record":                   {allow: "anonymous reader author member owner moderator admin token:write"},
	"webhook-create":                {allow: "member owner admin"},
	"webhook-delete":                {allow: "member owner admin"},
	"webhook-delivery-list":         {allow: "member owner admin"},
	"webhook-get":                   {allow: "member owner admin"},
	"webhook-redeliver":             {allow: "member owner admin"},
}

// authzSetups prepare one call of an operation: path parameters, a query
// string (call.path), a body or headers, and per-call fixtures for the
// operations that destroy what they act on, so that every caller meets the
// same resource.
var authzSetups = map[string]func(l *authzLab, caller *authzActor, params map[string]string, call *authzCall){
	"password-reset": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"email": "nobody@authz.test"}
	},
	"password-reset-confirm": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"token": "not-a-token-anyone-was-sent", "new_password": "a long new password 1"}
	},
	"put-media-content": func(l *authzLab, _ *authzActor, p map[string]string, c *authzCall) {
		p["id"] = l.newMedia(l.actors["owner"], l.fx["author"], false)
		c.body = "plain text, not audio\n"
		c.header = map[string]string{"Content-Type": "text/plain"}
	},
	"tus-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.header = tusCreateHeaders(l.newMedia(l.actors["owner"], l.fx["author"], false))
	},
	"tus-head": tusUpload,
	"tus-patch": func(l *authzLab, a *authzActor, p map[string]string, c *authzCall) {
		tusUpload(l, a, p, c)
		c.body = "hello"
		c.header["Upload-Offset"] = "0"
		c.header["Content-Type"] = "application/offset+octet-stream"
	},
	"tus-delete": tusUpload,
	// The unsubscribe link's token is its credential: a valid one, for
	// the owner's new-media e-mails (turning them off again is idempotent).
	"notification-unsubscribe-page": unsubscribeLink,
	"notification-unsubscribe":      unsubscribeLink,
	// Identity: sign-ins use the signer account; per-call victims.
	"token-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"email": l.signer.email, "password": l.signer.password}
	},
	"browser-session-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"email": l.signer.email, "password": l.signer.password}
	},
	"token-refresh": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		tok := l.must2xx("signer sign-in", "POST", "/v1/auth/token", "", map[string]any{"email": l.signer.email, "password": l.signer.password})
		c.body = map[string]any{"refresh_token": tok.str("refresh_token")}
	},
	"browser-session-refresh": browserCookies,
	"browser-session-delete":  browserCookies,
	"user-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		email := l.unique("new-") + "@authz.test"
		c.body = map[string]any{"email": email, "password": passwordOf(email), "display_name": "New"}
	},
	"user-me-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"display_name": "Renamed"}
	},
	"user-password-change": func(_ *authzLab, caller *authzActor, _ map[string]string, c *authzCall) {
		current := caller.password
		if current == "" {
			current = "not the password of anyone"
		}
		c.body = map[string]any{"current_password": current, "new_password": nextPassword(current)}
	},
	"user-update": func(l *authzLab, _ *authzActor, p map[string]string, c *authzCall) {
		p["id"] = l.newAccount("victim").userID
		c.body = map[string]any{"display_name": "Renamed by someone"}
	},
	"user-suspend": func(l *authzLab, _ *authzActor, p map[string]string, c *authzCall) {
		p["id"] = l.newAccount("victim").userID
		c.body = map[string]any{"reason": "matrix"}
	},
	"user-reinstate": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		v := l.newAccount("victim")
		l.must2xx("suspend victim", "POST", "/v1/users/"+v.userID+"/suspension", l.admin.token, map[string]any{})
		p["id"] = v.userID
	},
	"user-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.newAccount("victim").userID
	},
	"session-end": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		owner := l.actors["owner"]
		tok := l.must2xx("owner sign-in", "POST", "/v1/auth/token", "", map[string]any{"email": owner.email, "password": owner.password})
		list := l.must2xx("owner sessions", "GET", "/v1/users/me/sessions", tok.str("access_token"), nil)
		for _, it := range items(list) {
			if it["current"] == true {
				p["id"], _ = it["id"].(string)
			}
		}
	},
	"totp-confirm": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"code": "000000"}
	},
	"totp-delete": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"code": "000000"}
	},
	"api-token-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"name": "matrix", "scopes": []string{"read"}}
	},
	"api-token-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.must2xx("owner api token", "POST", "/v1/users/me/tokens", l.actors["owner"].token,
			map[string]any{"name": "doomed", "scopes": []string{"read"}}).str("id")
	},

	// Catalog: the owner's author and items, fresh where the call removes them.
	"author-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"name": "Another shelf"}
	},
	"author-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"bio": "Edited"}
	},
	"author-delete":  func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newAuthor(false) },
	"author-purge":   func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newAuthor(false) },
	"author-restore": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newAuthor(true) },
	"author-member-add": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"user_id": l.extra.userID, "role": "member"}
	},
	"author-member-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"role": "member"}
	},
	"author-member-remove": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		l.do("POST", "/v1/authors/"+l.fx["author"]+"/members", l.actors["owner"].token, map[string]any{"user_id": l.extra.userID, "role": "member"}, nil)
		p["user_id"] = l.extra.userID
	},
	"media-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"title": "New", "kind": "podcast", "language": "en", "author_ids": []string{l.fx["author"]}}
	},
	"media-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"description": "Edited"}
	},
	"media-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.newMedia(l.actors["owner"], l.fx["author"], true)
	},
	"media-purge": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.newMedia(l.actors["owner"], l.fx["author"], true)
	},
	"media-restore": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		id := l.newMedia(l.actors["owner"], l.fx["author"], true)
		l.must2xx("remove media", "DELETE", "/v1/media/"+id, l.actors["owner"].token, nil)
		p["id"] = id
	},
	"category-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		n := l.unique("cat-")
		c.body = map[string]any{"name": n, "slug": n}
	},
	"category-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"description": "Edited"}
	},
	"category-delete":  func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newCategory(false) },
	"category-purge":   func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newCategory(false) },
	"category-restore": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["id"] = l.newCategory(true) },

	// Storage: the owner's signed links.
	"media-content-link-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"expires_in_seconds": 600}
	},
	"media-content-link-revoke": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) { p["link_id"] = l.newLink() },

	// Engagement: the owner's collection, fresh where the call removes it.
	"view-record": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"seconds_played": 15}
	},
	"progress-put": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = progressBody(42)
	},
	"collection-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"name": "Mine"}
	},
	"collection-update": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"description": "Edited"}
	},
	"collection-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.must2xx("collection", "POST", "/v1/collections", l.actors["owner"].token, map[string]any{"name": "Doomed"}).str("id")
	},
	"collection-item-add": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		l.do("DELETE", "/v1/collections/"+l.fx["collection"]+"/items/"+l.fx["media2"], l.actors["owner"].token, nil, nil)
		c.body = map[string]any{"media_id": l.fx["media2"]}
	},
	"collection-item-reorder": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		l.do("DELETE", "/v1/collections/"+l.fx["collection"]+"/items/"+l.fx["media2"], l.actors["owner"].token, nil, nil)
		c.body = map[string]any{"media_ids": []string{l.fx["media"]}}
	},
	"collection-item-remove": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		l.do("POST", "/v1/collections/"+l.fx["collection"]+"/items", l.actors["owner"].token, map[string]any{"media_id": l.fx["media2"]}, nil)
		p["media_id"] = l.fx["media2"]
	},
	"report-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"target_type": "media", "target_id": l.fx["media"], "reason": "spam"}
	},
	"report-resolve": func(l *authzLab, _ *authzActor, p map[string]string, c *authzCall) {
		p["id"] = l.must2xx("report", "POST", "/v1/reports", l.actors["reader"].token,
			map[string]any{"target_type": "media", "target_id": l.fx["media"], "reason": "spam"}).str("id")
		c.body = map[string]any{"action": "dismiss"}
	},

	// Notify: the owner's webhook, fresh where the call removes it.
	"notification-preferences-put": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"preferences": []any{map[string]any{"type": "media.published", "channel": "email", "enabled": false}}}
	},
	"webhook-create": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"author_id": l.fx["author"], "url": l.hook.srv.URL + "/more", "event_types": []string{"media.published"}}
	},
	"webhook-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.must2xx("webhook", "POST", "/v1/webhooks", l.actors["owner"].token, map[string]any{"author_id": l.fx["author"],
			"url": l.hook.srv.URL + "/doomed", "event_types": []string{"media.published"}}).str("id")
	},
	"push-subscription-create": func(l *authzLab, caller *authzActor, _ map[string]string, c *authzCall) {
		c.body = pushSubscription(l, l.hook.srv.URL+"/push/"+strings.ReplaceAll(caller.name, ":", "-"))
	},
	"push-subscription-delete": func(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		// The owner's subscription: no one else may remove it.
		l.must2xx("owner push subscription", "POST", "/v1/users/me/push-subscriptions", l.actors["owner"].token,
			pushSubscription(l, l.hook.srv.URL+"/push/owner"))
		c.path = "?endpoint=" + url.QueryEscape(l.hook.srv.URL+"/push/owner")
	},
	"device-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"platform": "android", "token": "fcm-registration-token"}
	},

	// Feeds: the owner's private feed tokens.
	"feed-token-create": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"name": "another app"}
	},
	"feed-token-delete": func(l *authzLab, _ *authzActor, p map[string]string, _ *authzCall) {
		p["id"] = l.must2xx("feed token", "POST", "/v1/feeds/tokens", l.actors["owner"].token, map[string]any{"name": "doomed"}).str("id")
	},

	"author-stats-timeseries": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		now := time.Now().UTC()
		c.path = "?from=" + url.QueryEscape(now.Add(-48*time.Hour).Format(time.RFC3339)) + "&to=" + url.QueryEscape(now.Format(time.RFC3339))
	},
	"passkey-signin": func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
		c.body = map[string]any{"ceremony_id": uuidLike(), "credential": map[string]any{}}
	},

	// Search needs a query.
	"search":         withQuery("?q=episode"),
	"search-suggest": withQuery("?q=epi"),
	"media-search":   withQuery("?q=episode"),
}

// authzAfter runs after each call of an operation, to repair what the call
// changed for the next caller.
var authzAfter = map[string]func(l *authzLab, caller *authzActor, a authzAnswer){
	// Signing out everywhere ends the caller's own sessions.
	"session-delete":  func(l *authzLab, caller *authzActor, _ authzAnswer) { l.renew(caller) },
	"session-end-all": func(l *authzLab, caller *authzActor, _ authzAnswer) { l.renew(caller) },
	"user-password-change": func(l *authzLab, caller *authzActor, a authzAnswer) {
		if a.status/100 == 2 && caller.password != "" {
			caller.password = nextPassword(caller.password)
			l.renew(caller)
		}
	},
	"author-member-add": func(l *authzLab, _ *authzActor, a authzAnswer) {
		if a.status/100 == 2 {
			l.must2xx("remove extra", "DELETE", "/v1/authors/"+l.fx["author"]+"/members/"+l.extra.userID, l.actors["owner"].token, nil)
		}
	},
}

func withQuery(q string) func(*authzLab, *authzActor, map[string]string, *authzCall) {
	return func(_ *authzLab, _ *authzActor, _ map[string]string, c *authzCall) { c.path = q }
}

// nextPassword is the password a successful change sets.
func nextPassword(p string) string { return p + "!" }

// browserCookies signs the signer in from a "browser" and sends its
// refresh and CSRF cookies.
func browserCookies(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
	a := l.must2xx("browser sign-in", "POST", "/v1/auth/session", "", map[string]any{"email": l.signer.email, "password": l.signer.password})
	var cookies []string
	csrf := ""
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
		if ck.Name == "alx_csrf" {
			csrf = ck.Value
		}
	}
	c.header = map[string]string{"Cookie": strings.Join(cookies, "; "), "X-CSRF-Token": csrf}
}

// pushSubscription is a browser's PushSubscription JSON with real keys.
func pushSubscription(l *authzLab, endpoint string) map[string]any {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	must(l.t, err)
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	enc := base64.RawURLEncoding
	return map[string]any{"endpoint": endpoint, "keys": map[string]any{"p256dh": enc.EncodeToString(k.PublicKey().Bytes()), "auth": enc.EncodeToString(secret)}}
}

// items is the items array of a list answer.
func items(a authzAnswer) []map[string]any {
	raw, _ := a.json()["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// newAuthor creates an author of the owner with the member in it, removed
// by the owner when removed is true.
func (l *authzLab) newAuthor(removed bool) string {
	owner := l.actors["owner"]
	id := l.must2xx("author", "POST", "/v1/authors", owner.token, map[string]any{"name": l.unique("Shelf ")}).str("id")
	l.must2xx("member", "POST", "/v1/authors/"+id+"/members", owner.token, map[string]any{"user_id": l.actors["member"].userID, "role": "member"})
	if removed {
		l.must2xx("remove author", "DELETE", "/v1/authors/"+id, owner.token, nil)
	}
	return id
}

// newCategory creates a category (the admin), removed when removed is true.
func (l *authzLab) newCategory(removed bool) string {
	n := l.unique("cat-")
	id := l.must2xx("category", "POST", "/v1/categories", l.admin.token, map[string]any{"name": n, "slug": n}).str("id")
	if removed {
		l.must2xx("remove category", "DELETE", "/v1/categories/"+id, l.admin.token, nil)
	}
	return id
}

// progressBody is a position report from a device.
func progressBody(seconds int) map[string]any {
	return map[string]any{"seconds": seconds, "device": "matrix", "client_time": time.Now().UTC().Format(time.RFC3339Nano)}
}

// tusCreateHeaders starts a 10-byte upload for a media item.
func tusCreateHeaders(mediaID string) map[string]string {
	b64 := base64.StdEncoding.EncodeToString
	return map[string]string{
		"Tus-Resumable":   "1.0.0",
		"Upload-Length":   "10",
		"Upload-Metadata": "media_id " + b64([]byte(mediaID)) + ",filename " + b64([]byte("episode.mp3")),
	}
}

// tusUpload points a tus call at a fresh upload the owner started on a fresh
// draft; PATCH sends half of it, so nothing is finished or processed.
func tusUpload(l *authzLab, _ *authzActor, p map[string]string, c *authzCall) {
	l.t.Helper()
	media := l.newMedia(l.actors["owner"], l.fx["author"], false)
	a := l.do("POST", "/v1/uploads", l.actors["owner"].token, nil, tusCreateHeaders(media))
	if a.status != http.StatusCreated {
		l.t.Fatalf("owner's tus creation: %d %s", a.status, a.body)
	}
	loc := a.header.Get("Location")
	p["upload"] = loc[strings.LastIndex(loc, "/")+1:]
	c.header = map[string]string{"Tus-Resumable": "1.0.0"}
}

// authzUnsubscribeKey is notify.unsubscribe_key in the matrix's instance,
// so the test can sign an unsubscribe link as notify's mails do.
const authzUnsubscribeKey = "authz-matrix-unsubscribe-key"

// unsubscribeLink sets the query of an unsubscribe call to a valid token
// for the owner's media.published e-mails (notify's unsubscribeToken).
func unsubscribeLink(l *authzLab, _ *authzActor, _ map[string]string, c *authzCall) {
	payload := l.actors["owner"].userID + ".media.published"
	mac := hmac.New(sha256.New, []byte(authzUnsubscribeKey))
	mac.Write([]byte(payload))
	c.path = "?token=" + base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
