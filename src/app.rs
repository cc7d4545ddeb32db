//! The app shell: navigation, the error banner, the worker pool and the database, shared
//! with every page through context.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::context::{use_app, AppContext, Errors, Notices, WorkerStatus};
use crate::pages;
use crate::storage::db::Db;
use crate::workers::pool::{self, Pool, PoolError};
use crate::workers::protocol::Request;

/// The four pages, addressed by the URL fragment so the site works under any sub-path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Data,
    Backtest,
    Optimize,
    Studies,
}

impl Page {
    pub const ALL: [Page; 4] = [Page::Data, Page::Backtest, Page::Optimize, Page::Studies];

    fn slug(self) -> &'static str {
        match self {
            Page::Data => "data",
            Page::Backtest => "backtest",
            Page::Optimize => "optimize",
            Page::Studies => "studies",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Page::Data => "Data",
            Page::Backtest => "Backtest",
            Page::Optimize => "Optimize",
            Page::Studies => "Studies",
        }
    }

    fn from_hash(hash: &str) -> Page {
        let slug = hash.trim_start_matches('#').trim_start_matches('/');
        let slug = slug.split(['?', '/']).next().unwrap_or_default();
        Page::ALL
            .into_iter()
            .find(|page| page.slug() == slug)
            .unwrap_or(Page::Data)
    }
}

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    register_service_worker();
    leptos::mount::mount_to_body(App);
}

/// Registers `./sw.js` (relative, so its scope is wherever the site is hosted) when the page
/// is served over http(s); after one visit the app works offline.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let is_http = window
        .location()
        .protocol()
        .is_ok_and(|p| p == "http:" || p == "https:");
    let container = window.navigator().service_worker();
    if is_http && !container.is_undefined() {
        let registration = container.register("./sw.js");
        // Before the app mounts, Leptos's executor is not set up yet: use the plain one.
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(err) = wasm_bindgen_futures::JsFuture::from(registration).await {
                leptos::logging::warn!("offline support is unavailable: {err:?}");
            }
        });
    }
}

#[component]
fn App() -> impl IntoView {
    let errors = Errors::new();
    let ctx = AppContext {
        errors,
        pool: StoredValue::new_local(Pool::new(pool::default_size())),
        db: RwSignal::new_local(None),
        workers: RwSignal::new(WorkerStatus::default()),
        datasets: crate::storage::datasets::DatasetState::new(),
        studies: crate::studies::StudyState::new(),
        walkforwards: crate::studies::walkforward::WalkForwardState::new(),
        notices: Notices::new(),
        backtest: crate::components::results::BacktestState::new(),
        hash: RwSignal::new(current_hash()),
    };
    provide_context(ctx);
    expose_test_hooks(&ctx);
    greet_workers(ctx);
    open_database(ctx);

    let page = RwSignal::new(Page::from_hash(&current_hash()));
    let on_hash_change = Closure::<dyn Fn()>::new(move || {
        let hash = current_hash();
        page.set(Page::from_hash(&hash));
        ctx.hash.set(hash);
    });
    if let Some(window) = web_sys::window() {
        window.set_onhashchange(Some(on_hash_change.as_ref().unchecked_ref()));
    }
    on_hash_change.forget();

    view! {
        <header class="topbar">
            <span class="brand">"Genesis Lab"</span>
            <nav aria-label="Pages">
                {Page::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <a
                                href=format!("#/{}", p.slug())
                                data-testid=format!("nav-{}", p.slug())
                                class:active=move || page.get() == p
                                aria-current=move || (page.get() == p).then_some("page")
                            >
                                {p.title()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <WorkerBadge/>
        </header>
        <ErrorBanner/>
        <NoticeBar/>
        <main>
            {move || match page.get() {
                Page::Data => pages::data::DataPage().into_any(),
                Page::Backtest => pages::backtest::BacktestPage().into_any(),
                Page::Optimize => pages::optimize::OptimizePage().into_any(),
                Page::Studies => pages::studies::StudiesPage().into_any(),
            }}
        </main>
    }
}

#[component]
fn ErrorBanner() -> impl IntoView {
    let errors = use_app().errors;
    view! {
        <div class="error-banner" role="alert" data-testid="error-banner"
            hidden=move || errors.banners.with(|b| b.is_empty())>
            <For
                each=move || errors.banners.get()
                key=|banner| banner.id
                children=move |banner| {
                    let id = banner.id;
                    // Data errors carry their own hook, so tests can tell them from others.
                    let test_id = (banner.source == "data").then_some("dataset-error");
                    view! {
                        <div class="banner-item" data-testid=test_id>
                            <span class="banner-source">{banner.source}</span>
                            <pre class="banner-message">{banner.message}</pre>
                            <button aria-label="Dismiss this message" on:click=move |_| errors.dismiss(id)>"×"</button>
                        </div>
                    }
                }
            />
        </div>
    }
}

#[component]
fn NoticeBar() -> impl IntoView {
    let notices = use_app().notices;
    view! {
        <div class="notice-bar" role="status" data-testid="notice" hidden=move || notices.messages.with(Vec::is_empty)>
            <For
                each=move || notices.messages.get()
                key=|(id, _)| *id
                children=move |(id, message)| view! {
                    <div class="banner-item">
                        <span class="banner-message">{message}</span>
                        <button aria-label="Dismiss this message" on:click=move |_| {
                            notices.messages.update(|m| m.retain(|(i, _)| *i != id))
                        }>"×"</button>
                    </div>
                }
            />
        </div>
    }
}

#[component]
fn WorkerBadge() -> impl IntoView {
    let workers = use_app().workers;
    view! {
        <span class="worker-status" data-testid="worker-status">
            {move || {
                let status = workers.get();
                match status.engine_version {
                    Some(version) => format!("{} worker(s) ready · engine {version}", status.n_ready),
                    None => "starting workers…".to_string(),
                }
            }}
        </span>
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Every worker answers a versioned hello; a mismatch or a dead worker goes to the banner.
fn greet_workers(ctx: AppContext) {
    leptos::task::spawn_local(async move {
        let answers = ctx.pool().hello_all().await;
        let mut status = WorkerStatus::default();
        for (idx, answer) in answers.into_iter().enumerate() {
            match answer {
                Ok(hello) => {
                    status.n_ready += 1;
                    status.engine_version = Some(hello.engine_version);
                }
                Err(err) => ctx.errors.raise("worker", format!("worker {idx}: {err}")),
            }
        }
        ctx.workers.set(status);
    });
}

fn open_database(ctx: AppContext) {
    leptos::task::spawn_local(async move {
        match Db::open().await {
            Ok(db) => {
                let db = Rc::new(db);
                crate::storage::datasets::refresh(ctx, &db).await;
                ctx.db.set(Some(db));
                crate::studies::refresh_list(ctx, ctx.studies).await;
                // A `#/demo` link runs the demo once the database is open.
                if ctx
                    .hash
                    .get_untracked()
                    .trim_start_matches('#')
                    .trim_start_matches('/')
                    == "demo"
                {
                    crate::scripted::demo::run(ctx).await;
                }
            }
            Err(err) => ctx.errors.raise("storage", err.to_string()),
        }
    });
}

/// Hooks the end-to-end tests drive: `window.genesisTest.crashWorker()` makes a worker panic
/// for real, `crashNextTrial()` makes the worker running the next study trial panic inside
/// it, and `raiseError(msg)` raises into the banner as any layer would.
fn expose_test_hooks(ctx: &AppContext) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hooks = js_sys::Object::new();
    let crash = {
        let ctx = *ctx;
        Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let outcome = ctx.pool().run(Request::Crash, |_| {}).await;
                let n_replaced = ctx.pool().n_replaced();
                ctx.workers.update(|s| s.n_replaced = n_replaced);
                match outcome {
                    Err(PoolError::WorkerCrashed(message)) => Ok(JsValue::from_str(&message)),
                    other => Err(JsValue::from_str(&format!(
                        "expected a crash, got {other:?}"
                    ))),
                }
            })
        })
    };
    let hello = {
        let ctx = *ctx;
        Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let answers = ctx.pool().hello_all().await;
                let versions = js_sys::Array::new();
                for answer in answers {
                    match answer {
                        Ok(hello) => versions.push(&JsValue::from_str(&hello.engine_version)),
                        Err(err) => return Err(JsValue::from_str(&err.to_string())),
                    };
                }
                Ok(versions.into())
            })
        })
    };
    let bench = {
        let ctx = *ctx;
        Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let rows = crate::scripted::bench::run_all(ctx)
                    .await
                    .map_err(|e| JsValue::from_str(&e))?;
                crate::storage::db::to_js("bench", &rows)
                    .map_err(|e| JsValue::from_str(&e.to_string()))
            })
        })
    };
    let raise = {
        let errors = ctx.errors;
        Closure::<dyn Fn(String)>::new(move |message: String| errors.raise("test", message))
    };
    let crash_next_trial = {
        let studies = ctx.studies;
        Closure::<dyn Fn()>::new(move || studies.request_crash())
    };
    let entries: [(&str, &JsValue); 4] = [
        ("crashWorker", crash.as_ref()),
        ("helloAll", hello.as_ref()),
        ("raiseError", raise.as_ref()),
        ("crashNextTrial", crash_next_trial.as_ref()),
    ];
    for (name, function) in entries {
        let _ = js_sys::Reflect::set(&hooks, &JsValue::from_str(name), function);
    }
    let _ = js_sys::Reflect::set(&window, &JsValue::from_str("genesisBench"), bench.as_ref());
    bench.forget();
    crash.forget();
    crash_next_trial.forget();
    hello.forget();
    raise.forget();
    let _ = js_sys::Reflect::set(&window, &JsValue::from_str("genesisTest"), &hooks);
}
