//! Deep input: the expansion grows its own stack, so nesting as deep as rustc's parser
//! accepts expands on a thread with rustc's 8 MB; control flow nested deeper than rustc can
//! parse in the generated code is refused with an error, never a crash.

use proc_macro2::TokenStream;

/// Expands `source` (one function) on a thread with the 8 MB rustc gives a macro.
fn expand(source: String) -> String {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let item: TokenStream = source.parse().expect("tokens");
            grad_macro_core::expand(TokenStream::new(), item).to_string()
        })
        .expect("a thread")
        .join()
        .expect("no panic, no overflow")
}

fn function(body: &str) -> String {
    format!("fn deep(x: f64) -> f64 {{ {body} }}")
}

fn assert_expands(body: &str) {
    let out = expand(function(body));
    assert!(
        !out.contains("compile_error"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(out.contains("fn deep_grad"));
}

fn assert_refused(body: &str, message: &str) {
    let out = expand(function(body));
    assert!(out.contains("compile_error"), "not refused");
    assert!(out.contains(message), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("fn deep_grad"), "a stub companion");
}

/// Near rustc's own limits (rustc 1.95 overflows its stack on the plain function at 590
/// levels of `((e) * 0.999 + 0.01 * (x).sin())`, 1,190 bare parentheses, 5,400 unary minus,
/// method chains and sums of 5,300).
#[test]
fn expressions_as_deep_as_rustc_parses_expand_on_an_8_mb_thread() {
    let mut e = String::from("x");
    for _ in 0..585 {
        e = format!("(({e}) * 0.999 + 0.01 * (x).sin())");
    }
    assert_expands(&e);
    assert_expands(&format!("{}x{}", "(".repeat(1170), ")".repeat(1170)));
    assert_expands(&format!("{}x", "- ".repeat(5000)));
    assert_expands(&format!("x{}", ".sin()".repeat(5000)));
    let sum: String = (0..5000)
        .map(|k| format!(" + x * 0.{}", k % 9 + 1))
        .collect();
    assert_expands(&format!("x{sum}"));
    assert_expands(&format!("{}x{}", "x.max(".repeat(5000), ")".repeat(5000)));
}

#[test]
fn control_flow_nested_deeper_than_rustc_parses_the_companion_is_refused() {
    let ifs = |n: usize| {
        let open: String = (0..n).map(|k| format!("if x > -{k}.5 {{ ")).collect();
        let close: String = (0..n).map(|k| format!(" }} else {{ {k}.0 }}")).collect();
        format!("{open}x{close}")
    };
    assert_expands(&ifs(200));
    assert_refused(&ifs(300), "control flow nested more than 256 levels deep");
    let else_ifs = |n: usize| {
        let arms: String = (0..n)
            .map(|k| format!("else if x > {k}.5 {{ x * {k}.0 }} "))
            .collect();
        format!("if x > 0.0 {{ x }} {arms}else {{ 0.0 }}")
    };
    assert_expands(&else_ifs(200));
    assert_refused(&else_ifs(1000), "nested more than 256 levels");
    let loops = |n: usize| {
        format!(
            "let mut s = x; {}s = s * 1.01 + x;{} s",
            "for _ in 0..1 { ".repeat(n),
            " }".repeat(n)
        )
    };
    assert_expands(&loops(40));
    assert_refused(&loops(60), "nested more than 256 levels");
}
