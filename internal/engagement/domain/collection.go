package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Collection kinds and visibilities.
const (
	CollectionSaved  = "saved"
	CollectionCustom = "custom"
	Private          = "private"
	Public           = "public"
	// MaxCollectionItems bounds one collection.
	MaxCollectionItems = 5000
)

// CollectionFields are what a user may set on a collection.
type CollectionFields struct {
	Name        *string
	Description *string
	Visibility  *string
}

// CheckCollection validates fields of a collection of kind; the saved
// collection keeps its name.
func CheckCollection(kind string, f CollectionFields) error {
	var v errs.Validation
	if f.Name != nil {
		n := strings.TrimSpace(*f.Name)
		switch {
		case kind == CollectionSaved:
			v.Add("name", "the saved collection cannot be renamed")
		case n == "" || utf8.RuneCountInString(n) > 200:
			v.Add("name", "must be 1 to 200 characters")
		}
	}
	if f.Description != nil && utf8.RuneCountInString(*f.Description) > 2000 {
		v.Add("description", "must be at most 2000 characters")
	}
	if f.Visibility != nil && *f.Visibility != Private && *f.Visibility != Public {
		v.Add("visibility", "must be private or public")
	}
	return v.Err()
}

// Report target types, reasons, states and actions.
const (
	ReportMedia  = "media"
	ReportAuthor = "author"
	ReportUser   = "user"

	ReportOpen     = "open"
	ReportResolved = "resolved"

	ActionDismiss = "dismiss"
	ActionRemove  = "remove"
	ActionSuspend = "suspend"
)

// CheckAction says whether a moderator's action fits the reported target:
// remove takes down media and authors, suspend suspends user accounts.
func CheckAction(targetType, action string) error {
	switch {
	case action == ActionDismiss:
		return nil
	case action == ActionRemove && (targetType == ReportMedia || targetType == ReportAuthor):
		return nil
	case action == ActionSuspend && targetType == ReportUser:
		return nil
	}
	return errs.InvalidField("action", "%s does not apply to a reported %s (remove: media and authors; suspend: users)", action, targetType)
}
