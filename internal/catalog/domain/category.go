package domain

import (
	"slices"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Category is a node of the category tree.
type Category struct {
	ID          string
	Name        string
	Slug        string
	Description string
	ParentID    *string
	Status      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// CategoryFields are the settable fields; nil means "not given". A ParentID
// pointing at "" moves the category to the top level.
type CategoryFields struct {
	Name, Slug, Description, ParentID *string
}

// CanManageCategories reports whether the actor may change the tree.
func CanManageCategories(actor Actor) error {
	if err := requireSignedIn(actor); err != nil {
		return err
	}
	if !actor.Moderator {
		return errs.Forbiddenf("only moderators may manage categories")
	}
	return nil
}

// VisibleTo reports whether the actor may see the category.
func (c Category) VisibleTo(actor Actor) bool { return c.Status == StatusActive || actor.Moderator }

func (c Category) guard(actor Actor) error {
	if !c.VisibleTo(actor) {
		return errs.NotFoundf("category %s not found", c.ID)
	}
	return CanManageCategories(actor)
}

func (c *Category) touch(now time.Time) {
	c.UpdatedAt = now
	c.Version++
}

// NewCategory creates a category; the slug comes from the name when not given.
func NewCategory(actor Actor, f CategoryFields, now time.Time) (Category, error) {
	if err := CanManageCategories(actor); err != nil {
		return Category{}, err
	}
	c := Category{ID: NewID(), Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	if f.Name == nil {
		f.Name = new(string)
	}
	underivable := false
	if f.Slug == nil || *f.Slug == "" {
		slug := Slugify(*f.Name)
		f.Slug = &slug
		if slug == "" && strings.TrimSpace(*f.Name) != "" {
			// Said after any problem with the name itself.
			f.Slug, underivable = nil, true
		}
	}
	if err := c.apply(f); err != nil {
		return Category{}, err
	}
	if underivable {
		return Category{}, errs.InvalidField("slug", "cannot be derived from the name; send one")
	}
	return c, nil
}

// Update applies a moderator's PATCH. Whether a new parent exists and is not
// a descendant is checked with CheckParent, which needs the tree.
func (c *Category) Update(actor Actor, f CategoryFields, expect int64, now time.Time) error {
	if err := c.guard(actor); err != nil {
		return err
	}
	if err := CheckVersion(expect, c.Version); err != nil {
		return err
	}
	if err := c.apply(f); err != nil {
		return err
	}
	c.touch(now)
	return nil
}

func (c *Category) apply(f CategoryFields) error {
	var v errs.Validation
	if f.Name != nil {
		c.Name = strings.TrimSpace(*f.Name)
		checkText(&v, "name", c.Name, 1, 100)
	}
	if f.Slug != nil {
		c.Slug = *f.Slug
		v.Check(ValidSlug(c.Slug), "slug", "must be lower-case letters and digits separated by single dashes, at most 100 characters")
	}
	if f.Description != nil {
		c.Description = *f.Description
		checkLongText(&v, "description", c.Description, 0, 2000)
	}
	if f.ParentID != nil {
		c.ParentID = nil
		if p := *f.ParentID; p != "" {
			v.Check(ValidID(p), "parent_id", "is not a UUID")
			v.Check(p != c.ID, "parent_id", "a category cannot be its own parent")
			c.ParentID = &p
		}
	}
	return v.Err()
}

// CheckParent refuses a parent that would put the category under itself.
// ancestors lists the new parent and its ancestors, nearest first.
func (c Category) CheckParent(ancestors []string) error {
	if slices.Contains(ancestors, c.ID) {
		return errs.Conflictf("moving category %s there would create a cycle", c.ID)
	}
	return nil
}

// Remove soft-deletes the category; one with active children stays.
func (c *Category) Remove(actor Actor, activeChildren int, now time.Time) error {
	if err := c.guard(actor); err != nil {
		return err
	}
	if activeChildren > 0 {
		return errs.Conflictf("category %s has %d active subcategories; move or remove them first", c.ID, activeChildren)
	}
	if c.Status == StatusRemoved {
		return nil
	}
	c.Status = StatusRemoved
	c.touch(now)
	return nil
}

// Restore brings a removed category back; its parent must be active.
func (c *Category) Restore(actor Actor, parentActive bool, now time.Time) error {
	if err := c.guard(actor); err != nil {
		return err
	}
	if c.Status != StatusRemoved {
		return errs.Conflictf("category %s is not removed", c.ID)
	}
	if !parentActive {
		return errs.Conflictf("the parent of category %s is removed; restore it first", c.ID)
	}
	c.Status = StatusActive
	c.touch(now)
	return nil
}
