package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sqlCalls are the bun query builders and raw database calls: in a service
// they belong in its repository (store*.go) and nowhere else.
var sqlCalls = []string{"NewSelect", "NewInsert", "NewUpdate", "NewDelete", "NewRaw", "NewCreateTable",
	"NewMerge", "QueryContext", "ExecContext", "QueryRowContext"}

// infrastructure may not be imported by a service's domain package: its
// rules are plain Go, tested without HTTP or SQL.
var infrastructure = []string{"github.com/uptrace/bun", "github.com/danielgtaylor/huma/v2", "net/http",
	"database/sql"}

// transactions are the bun types of a raw transaction: outside the
// repository a service never holds one. A consumer gets its repository
// bound to the pipeline's transaction (events.Bind) instead.
var transactions = []string{"Tx", "IDB"}

// layoutDebt lists files that still break the layout, each to be moved into
// the service's repository by issue 9's restructuring. The list only
// shrinks: a listed file that no longer breaks the rule fails the test too,
// so the entry is removed with the fix.
var layoutDebt = []string{}

// TestServicesKeepTheirLayout checks the rules of docs/architecture.md
// ("One service layout") that a machine can check, for every target.
func TestServicesKeepTheirLayout(t *testing.T) {
	t.Parallel()
	var broken []string
	for _, target := range Targets() {
		dir := filepath.Join("..", target.Name)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			base := filepath.Base(path)
			if strings.HasSuffix(base, "_test.go") || strings.HasPrefix(base, "store") {
				continue
			}
			rel := filepath.ToSlash(filepath.Join("internal", target.Name, base))
			calls, txs := sqlIn(t, path), transactionsIn(t, path)
			if len(calls) > 0 || len(txs) > 0 {
				broken = append(broken, rel)
			}
			if slices.Contains(layoutDebt, rel) {
				continue
			}
			if len(calls) > 0 {
				t.Errorf("%s runs SQL (%s) outside the repository: move it into a store*.go file",
					rel, strings.Join(calls, ", "))
			}
			if len(txs) > 0 {
				t.Errorf("%s holds a raw transaction (%s) outside the repository: a consumer takes its repository "+
					"bound to the pipeline's transaction (events.Bind), an app command calls the repository",
					rel, strings.Join(txs, ", "))
			}
		}
		domain, _ := filepath.Glob(filepath.Join(dir, "domain", "*.go"))
		for _, path := range domain {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			for _, imp := range importsOf(t, path) {
				if slices.Contains(infrastructure, imp) {
					t.Errorf("internal/%s/domain/%s imports %s: domain rules use no infrastructure",
						target.Name, filepath.Base(path), imp)
				}
			}
		}
	}
	for _, debt := range layoutDebt {
		if !slices.Contains(broken, debt) {
			t.Errorf("%s keeps the layout now: remove it from layoutDebt", debt)
		}
	}
}

func sqlIn(t *testing.T, path string) []string {
	t.Helper()
	f := parse(t, path)
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && slices.Contains(sqlCalls, sel.Sel.Name) && !slices.Contains(found, sel.Sel.Name) {
			found = append(found, sel.Sel.Name)
		}
		return true
	})
	return found
}

// transactionsIn lists the raw transaction types of bun (bun.Tx, bun.IDB)
// that the file at path names, under whatever name it imports bun.
func transactionsIn(t *testing.T, path string) []string {
	t.Helper()
	f := parse(t, path)
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/uptrace/bun" {
			name = "bun"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == name && slices.Contains(transactions, sel.Sel.Name) &&
			!slices.Contains(found, "bun."+sel.Sel.Name) {
			found = append(found, "bun."+sel.Sel.Name)
		}
		return true
	})
	return found
}

func importsOf(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, imp := range parse(t, path).Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, p)
	}
	return out
}

func parse(t *testing.T, path string) *ast.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
