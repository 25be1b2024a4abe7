package testenv

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestOnlyDecls returns the top-level functions and variables, and the
// unexported constants and types, declared in the non-test Go files of the
// package in dir that no non-test Go file of the module uses: hooks and
// helpers that only tests need, which belong in _test.go files. (An
// exported constant or type may be API that only callers use; methods are
// not checked.) Files of every build tag count. A name counts as used when
// it appears in the package's own files other than where it is declared,
// or, exported, as pkg.Name in another package.
func TestOnlyDecls(t testing.TB, dir string) []string {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("testenv: the source is the same on every platform; the native tests check it")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files, local []*ast.File
	err = filepath.WalkDir(RepoRoot(t), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if filepath.Dir(path) == abs {
			local = append(local, f)
		} else {
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(local) == 0 {
		t.Fatalf("testenv: no non-test Go files in %s", abs)
	}

	declared := map[*ast.Ident]bool{}
	for _, f := range local {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name != "init" && d.Name.Name != "main" {
					declared[d.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declared[n] = d.Tok == token.VAR || !n.IsExported()
						}
					case *ast.TypeSpec:
						declared[s.Name] = !s.Name.IsExported()
					}
				}
			}
		}
	}
	used := map[string]bool{}
	for _, f := range local {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if _, decl := declared[id]; !decl {
					used[id.Name] = true
				}
			}
			return true
		})
	}
	pkg := local[0].Name.Name
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == pkg {
					used[sel.Sel.Name] = true
				}
			}
			return true
		})
	}
	var out []string
	for id, check := range declared {
		if check && id.Name != "_" && !used[id.Name] {
			out = append(out, id.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
