package catalog

// The application layer: catalog's commands and queries (app_*.go). The
// HTTP handlers (noun_verb.go) decode, find the caller and call them; the
// event consumers (saga.go, consume_*.go) decode and call them with the
// store bound to their transaction (events.Bind). A command loads through the store,
// applies a domain rule and saves; the store records the change's events
// in the same transaction. They take the caller as a domain.Actor and
// return domain values, which the handlers turn into views (views.go).
