package config

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable the process reads.
const EnvPrefix = "ALEXANDRIA_"

// Sources are the layers applied on top of the defaults, lowest first:
// the YAML file, the environment, then flags.
type Sources struct {
	// File is the YAML file's content (nil: no file).
	File []byte
	// FileName is used in error messages.
	FileName string
	// Env is the process environment as KEY=value pairs.
	Env []string
	// Set holds flag overrides as yaml.path=value.
	Set []string
}

// apply layers file < env < flags onto dst, a pointer to a tagged struct.
func apply(dst any, src Sources) error {
	if len(bytes.TrimSpace(src.File)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(src.File))
		// An unknown key is a typo the operator must hear about.
		dec.KnownFields(true)
		if err := dec.Decode(dst); err != nil {
			return fmt.Errorf("config file %s: %s", src.FileName, cleanYAMLError(err))
		}
	}
	root := reflect.ValueOf(dst).Elem()
	if err := growLists(root, src); err != nil {
		return err
	}
	fields := collect(root, "", EnvPrefix, false)
	byEnv := map[string]field{}
	byPath := map[string]field{}
	for _, f := range fields {
		byEnv[f.env] = f
		byPath[f.path] = f
	}
	envs := append([]string(nil), src.Env...)
	sort.Strings(envs)
	for _, kv := range envs {
		k, v, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, EnvPrefix) {
			continue
		}
		f, ok := byEnv[k]
		if !ok {
			return fmt.Errorf("environment %s: unknown option (see 'alexandria config -reference')", k)
		}
		if err := f.set(v); err != nil {
			return fmt.Errorf("environment %s (%s): %w", k, f.path, err)
		}
	}
	for _, kv := range src.Set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("flag -set %q: want key=value", kv)
		}
		f, found := byPath[k]
		if !found {
			return fmt.Errorf("flag -set %s: unknown option", k)
		}
		if err := f.set(v); err != nil {
			return fmt.Errorf("flag -set %s: %w", k, err)
		}
	}
	return nil
}

// cleanYAMLError turns "field x not found in type config.HTTP" into a
// message that names the option rather than a Go type.
func cleanYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			if i := strings.Index(e, "field "); i >= 0 && strings.Contains(e, "not found") {
				name := strings.Fields(e[i+len("field "):])[0]
				msgs = append(msgs, e[:i]+"unknown option "+strconv.Quote(name))
				continue
			}
			msgs = append(msgs, e)
		}
		return strings.Join(msgs, "; ")
	}
	return err.Error()
}

// field is one settable leaf of the configuration tree.
type field struct {
	path   string // yaml path, e.g. database.url
	env    string // environment name, e.g. ALEXANDRIA_DATABASE_URL
	doc    string
	secret bool
	v      reflect.Value
}

// maxListLen bounds a list option's length (a typo in an index must not
// allocate a huge list).
const maxListLen = 32

// list is an option that holds a list of sections (e.g.
// identity.oidc.providers): its elements' options are named
// path.N.option in YAML paths and ENV_N_OPTION in the environment.
type list struct {
	path string
	env  string
	v    reflect.Value
}

// option is one configurable field of a section: its YAML name, its full
// environment name and its value.
type option struct {
	sf   reflect.StructField
	name string
	env  string
	v    reflect.Value
}

// options yields the exported, named fields of section v. Env names nest by
// the env tags of the parents; a tag that starts with ALEXANDRIA_ is absolute.
func options(v reflect.Value, envPrefix string) iter.Seq[option] {
	return func(yield func(option) bool) {
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			if name == "-" {
				continue
			}
			env := sf.Tag.Get("env")
			if !strings.HasPrefix(env, EnvPrefix) {
				env = envPrefix + env
			}
			if !yield(option{sf: sf, name: name, env: env, v: v.Field(i)}) {
				return
			}
		}
	}
}

// collectLists finds the list options of v, including those inside
// elements that already exist.
func collectLists(v reflect.Value, pathPrefix, envPrefix string) []list {
	var out []list
	for o := range options(v, envPrefix) {
		sf, name, env, fv := o.sf, o.name, o.env, o.v
		switch {
		case isSectionList(sf.Type):
			out = append(out, list{path: pathPrefix + name, env: env, v: fv})
			for j := range fv.Len() {
				out = append(out, collectLists(fv.Index(j), fmt.Sprintf("%s%s.%d.", pathPrefix, name, j), fmt.Sprintf("%s_%d_", env, j))...)
			}
		case sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[time.Duration]():
			out = append(out, collectLists(fv, pathPrefix+name+".", env+"_")...)
		}
	}
	return out
}

func isSectionList(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct
}

// growLists lengthens list options so that every element the environment
// or the flags name (ENV_N_OPTION, path.N.option) exists; elements the file
// gave keep their values.
func growLists(root reflect.Value, src Sources) error {
	lists := collectLists(root, "", EnvPrefix)
	for _, l := range lists {
		want := l.v.Len()
		note := func(rest, what string) error {
			digits, _, ok := strings.Cut(rest, what)
			if !ok {
				return nil
			}
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 || strconv.Itoa(n) != digits {
				return nil //nolint:nilerr // not an index: reported as an unknown option later
			}
			if n >= maxListLen {
				return fmt.Errorf("%s: index %d is too large (at most %d elements)", l.path, n, maxListLen)
			}
			want = max(want, n+1)
			return nil
		}
		for _, kv := range src.Env {
			k, _, _ := strings.Cut(kv, "=")
			if rest, ok := strings.CutPrefix(k, l.env+"_"); ok {
				if err := note(rest, "_"); err != nil {
					return fmt.Errorf("environment %s: %w", k, err)
				}
			}
		}
		for _, kv := range src.Set {
			k, _, _ := strings.Cut(kv, "=")
			if rest, ok := strings.CutPrefix(k, l.path+"."); ok {
				if err := note(rest, "."); err != nil {
					return fmt.Errorf("flag -set %s: %w", k, err)
				}
			}
		}
		if want > l.v.Len() {
			grown := reflect.MakeSlice(l.v.Type(), want, want)
			reflect.Copy(grown, l.v)
			l.v.Set(grown)
		}
	}
	return nil
}

// cloneLists gives every list option of v its own backing array, so that
// a copy of the configuration can be changed without touching the
// original's elements.
func cloneLists(v reflect.Value) {
	for _, l := range collectLists(v, "", EnvPrefix) {
		if l.v.Len() == 0 {
			continue
		}
		c := reflect.MakeSlice(l.v.Type(), l.v.Len(), l.v.Len())
		reflect.Copy(c, l.v)
		l.v.Set(c)
	}
}

// collect walks the struct and returns its leaves. Env names nest by the
// env tags of the parents; a tag that starts with ALEXANDRIA_ is absolute.
// The elements of a list option are numbered from 0; with template, a list
// shows one element numbered N (for the reference).
func collect(v reflect.Value, pathPrefix, envPrefix string, template bool) []field {
	var out []field
	for o := range options(v, envPrefix) {
		sf, name, env, fv := o.sf, o.name, o.env, o.v
		if isSectionList(sf.Type) {
			if template {
				out = append(out, collect(reflect.New(sf.Type.Elem()).Elem(), pathPrefix+name+".N.", env+"_N_", true)...)
				continue
			}
			for j := range fv.Len() {
				out = append(out, collect(fv.Index(j), fmt.Sprintf("%s%s.%d.", pathPrefix, name, j), fmt.Sprintf("%s_%d_", env, j), false)...)
			}
			continue
		}
		if sf.Type.Kind() == reflect.Struct && sf.Type != reflect.TypeFor[time.Duration]() {
			out = append(out, collect(fv, pathPrefix+name+".", env+"_", template)...)
			continue
		}
		out = append(out, field{
			path: pathPrefix + name, env: env, doc: sf.Tag.Get("doc"),
			secret: sf.Tag.Get("secret") == "true", v: fv,
		})
	}
	return out
}

func (f field) set(s string) error {
	switch f.v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 15m or 1h30m", s)
		}
		f.v.SetInt(int64(d))
		return nil
	case []string:
		var list []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		f.v.Set(reflect.ValueOf(list))
		return nil
	}
	switch f.v.Kind() {
	case reflect.String:
		f.v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.v.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.v.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.v.SetBool(b)
	default:
		return fmt.Errorf("unsupported option type %s", f.v.Type())
	}
	return nil
}

// display renders a leaf's value, masking secrets.
func (f field) display() string {
	val := f.v.Interface()
	if f.secret {
		s, _ := val.(string)
		return maskSecret(s)
	}
	switch x := val.(type) {
	case []string:
		return strings.Join(x, ",")
	case time.Duration:
		return x.String()
	}
	return fmt.Sprint(val)
}

// maskSecret hides a secret; for URLs only the password is hidden so the
// operator still sees which server is meant.
func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	if i := strings.Index(s, "://"); i > 0 {
		rest := s[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			userinfo := rest[:at]
			if user, _, ok := strings.Cut(userinfo, ":"); ok {
				return s[:i+3] + user + ":********" + rest[at:]
			}
		}
		if q := strings.Index(rest, "password="); q >= 0 {
			return s[:i+3] + rest[:q] + "password=********"
		}
		return s
	}
	return "********"
}

// collectAll lists every option of c.
func collectAll(c *Config) []field {
	return collect(reflect.ValueOf(c).Elem(), "", EnvPrefix, false)
}
