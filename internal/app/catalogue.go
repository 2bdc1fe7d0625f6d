package app

import (
	"github.com/alexandria-platform/alexandria/internal/analytics"
	"github.com/alexandria-platform/alexandria/internal/catalog"
	"github.com/alexandria-platform/alexandria/internal/engagement"
	"github.com/alexandria-platform/alexandria/internal/feeds"
	"github.com/alexandria-platform/alexandria/internal/identity"
	"github.com/alexandria-platform/alexandria/internal/notify"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/processing"
	"github.com/alexandria-platform/alexandria/internal/search"
	"github.com/alexandria-platform/alexandria/internal/storage"
)

// EventCatalogue is every target's events: what it publishes, consumes and
// choreographs. `alexandria events catalogue` renders it into api/events
// (JSON Schemas) and docs/events.md.
func EventCatalogue() events.Catalogue {
	return events.Catalogue{
		{Service: "identity", Publishes: identity.Events},
		{Service: "catalog", Publishes: catalog.Events, Consumes: catalog.Consumes, Sagas: catalog.Sagas},
		{Service: "storage", Publishes: storage.Events, Consumes: storage.Consumes},
		{Service: "processing", Publishes: processing.Events, Consumes: processing.Consumes, Sagas: processing.Sagas},
		{Service: "feeds", Consumes: feeds.Consumes},
		{Service: "search", Consumes: search.Consumes},
		{Service: "engagement", Publishes: engagement.Events, Consumes: engagement.Consumes, Sagas: engagement.Sagas},
		{Service: "analytics", Publishes: analytics.Events, Consumes: analytics.Consumes},
		{Service: "notify", Publishes: notify.Events, Consumes: notify.Consumes},
	}
}
