package identity

import "time"

// sessionJSON is a sign-in session as its owner sees it.
type sessionJSON struct {
	ID         string    `json:"id" doc:"Session ID"`
	Device     string    `json:"device" doc:"User-Agent of the last sign-in or refresh"`
	Address    string    `json:"address" doc:"Client address of the last sign-in or refresh"`
	Method     string    `json:"method" doc:"How it began: password, browser"`
	CreatedAt  time.Time `json:"created_at" doc:"When it began"`
	LastUsedAt time.Time `json:"last_used_at" doc:"Last sign-in or refresh (access tokens are checked without identity, so use in between is not seen)"`
	Current    bool      `json:"current" doc:"Whether the access token of this request belongs to it"`
}

func toSessionJSON(r sessionRow, current string) sessionJSON {
	return sessionJSON{ID: r.ID, Device: r.Device, Address: r.Address, Method: r.Method, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: r.LastUsedAt.UTC(), Current: r.ID == current}
}
