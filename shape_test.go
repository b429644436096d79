package dobot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The shape the code keeps (issue 12): small packages, small structs and
// functions, no registries filled by init, and no Slack markup outside the
// Slack adapter and the Slack test server.
const (
	maxPackageLines = 2600 // non-test lines per package
	maxStructFields = 15
	maxFuncLines    = 80 // body lines of a non-test function
)

// packageExceptions are packages still over maxPackageLines while they are
// being cut, each with who is cutting it. An exception that is no longer
// needed fails the test, so the list only shrinks.
var packageExceptions = map[string]string{}

// structExceptions and funcExceptions are the same for structs and
// functions, by "package.Name".
var (
	structExceptions = map[string]string{}
	funcExceptions   = map[string]string{}
)

// slackMarkup is Slack's markup in a string literal: a mention, a channel,
// a special mention or a link, or an emoji shortcode standing alone.
var slackMarkup = regexp.MustCompile(`<[@#!]|<https?:|(^|[\s"]):[a-z0-9_+-]+:([\s"]|$)`)

// markupAllowed are the directories that speak Slack's markup.
var markupAllowed = []string{"slackbot", "internal/slacktest"}

type sourceFile struct {
	dir  string // package directory, relative to the module root
	path string
	file *ast.File
}

func parseRepo(t *testing.T) (*token.FileSet, []sourceFile) {
	t.Helper()
	fset := token.NewFileSet()
	var files []sourceFile
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		files = append(files, sourceFile{dir: filepath.ToSlash(filepath.Dir(path)), path: path, file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found %d Go files; run the test from the module root", len(files))
	}
	return fset, files
}

func TestShape(t *testing.T) {
	fset, files := parseRepo(t)
	lines := map[string]int{}
	seen := map[string]bool{} // excepted names found over the limits
	var problems []string
	for _, sf := range files {
		lines[sf.dir] += fset.File(sf.file.Pos()).LineCount()
		problems = append(problems, checkFile(fset, sf, seen)...)
	}
	for dir, n := range lines {
		_, excepted := packageExceptions[dir]
		switch {
		case n > maxPackageLines && !excepted:
			problems = append(problems, dir+": "+strconv.Itoa(n)+" non-test lines; the limit is "+strconv.Itoa(maxPackageLines)+": split it")
		case n <= maxPackageLines && excepted:
			problems = append(problems, dir+": "+strconv.Itoa(n)+" non-test lines, within the limit: remove its exception")
		}
	}
	for name := range structExceptions {
		if !seen[name] {
			problems = append(problems, name+": no longer over the limits (or gone): remove its exception")
		}
	}
	for name := range funcExceptions {
		if !seen[name] {
			problems = append(problems, name+": no longer over the limits (or gone): remove its exception")
		}
	}
	for dir := range packageExceptions {
		if _, ok := lines[dir]; !ok {
			problems = append(problems, dir+": excepted but has no Go files: remove its exception")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// checkFile finds the structs, functions, init functions and Slack markup
// in one non-test file that break the shape.
func checkFile(fset *token.FileSet, sf sourceFile, seen map[string]bool) []string {
	var out []string
	pkg := sf.dir
	if pkg == "." {
		pkg = "dobot"
	}
	at := func(n ast.Node) string { return fset.Position(n.Pos()).String() }
	for _, decl := range sf.file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		if fn.Name.Name == "init" && fn.Recv == nil {
			out = append(out, at(fn)+": init function; build registries in a constructor")
		}
		name := pkg + "." + funcName(fn)
		n := fset.Position(fn.Body.End()).Line - fset.Position(fn.Body.Pos()).Line - 1
		if _, excepted := funcExceptions[name]; n > maxFuncLines && excepted {
			seen[name] = true
		} else if n > maxFuncLines {
			out = append(out, at(fn)+": "+name+" has "+strconv.Itoa(n)+" lines; the limit is "+strconv.Itoa(maxFuncLines))
		}
	}
	ast.Inspect(sf.file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeSpec:
			st, ok := n.Type.(*ast.StructType)
			if !ok {
				return true
			}
			name := pkg + "." + n.Name.Name
			if c := fieldCount(st); c > maxStructFields {
				if _, excepted := structExceptions[name]; excepted {
					seen[name] = true
				} else {
					out = append(out, at(n)+": struct "+name+" has "+strconv.Itoa(c)+" fields; the limit is "+strconv.Itoa(maxStructFields)+": group them")
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING && !markupDir(pkg) && slackMarkup.MatchString(n.Value) {
				out = append(out, at(n)+": Slack markup "+n.Value+"; use package chat's tokens and icons")
			}
		}
		return true
	})
	return out
}

func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

func fieldCount(st *ast.StructType) int {
	n := 0
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			n++ // embedded
		}
		n += len(f.Names)
	}
	return n
}

func markupDir(dir string) bool {
	for _, d := range markupAllowed {
		if dir == d || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

// TestShapeCatchesMarkup keeps the markup pattern honest: it finds each
// kind of Slack markup, and not the bot's own colons.
func TestShapeCatchesMarkup(t *testing.T) {
	for _, s := range []string{`"<@%s>"`, `"<#C1>"`, `"<!channel>"`, `"<https://x|y>"`, `":white_check_mark: done"`, `"done :x:"`} {
		if !slackMarkup.MatchString(s) {
			t.Errorf("slackMarkup misses %s", s)
		}
	}
	for _, s := range []string{`"dobot-sealed:v1:"`, `"15:04:05"`, `"a < b"`, `"https://x"`, `"registry.digitalocean.com/%s/REPO:TAG"`} {
		if slackMarkup.MatchString(s) {
			t.Errorf("slackMarkup matches %s", s)
		}
	}
}
