; One combined query for the Rust source scan (src/scan/rust/extract.ts).
; Each capture name is a kind of node the extractor looks at; it walks locally from there.
(function_item) @fn
(use_declaration) @use
(const_item) @const
(static_item) @const
(struct_item) @struct
(attribute_item) @attr
(call_expression) @call
(macro_invocation) @macro
(string_literal) @str
(raw_string_literal) @str
(inner_attribute_item) @iattr
