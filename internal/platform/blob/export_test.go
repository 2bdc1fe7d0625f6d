package blob

// SetListPageSize sets the page size Keys asks for and returns a function
// that restores it.
func SetListPageSize(n int) func() {
	old := ListPageSize
	ListPageSize = n
	return func() { ListPageSize = old }
}
