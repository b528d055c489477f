; Query of the Rust source scan (src/scan/rust/extract.ts), run only on files whose tree has
; errors: every ERROR node is a syntax error to report (file:line, count in parseErrors).
; Findings themselves are reached from text anchors (URLs, env reads, constructors, `use`,
; test attributes) mapped onto the tree, which is cheaper than capturing every node of a kind.
(ERROR) @error
