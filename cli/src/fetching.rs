//! Where `verify`, `appraise` and `collateral fetch` get the collateral the files do not
//! hold: the cache, then the vendors' services (unless offline), configured by flags,
//! environment variables and a config file, in that order of precedence.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use collateral::{
    Cache, Endpoints, FetchError, Fetched, Http, HttpOptions, Offline, Progress, Resolved, Source,
};
use serde::Deserialize;
use verifier::collateral::Bundle;
use verifier::needs::CollateralKey;
use verifier::time::UnixTime;
use verifier::{Evidence, Expectations};

use crate::args::FetchArgs;
use crate::exit::Failure;
use crate::input::{self, InputKind};

/// The config file (TOML), every key optional; flags and environment variables win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    amd_kds_url: Option<String>,
    intel_pcs_url: Option<String>,
    nvidia_rim_url: Option<String>,
    nvidia_ocsp_url: Option<String>,
    cache_dir: Option<PathBuf>,
    no_cache: Option<bool>,
    offline: Option<bool>,
    fetch_timeout_seconds: Option<u64>,
    cache_grace_seconds: Option<u64>,
}

/// How collateral is fetched, after flags, environment and config file are merged.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) endpoints: Endpoints,
    pub(crate) http: HttpOptions,
    /// `None`: no cache.
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) grace: Duration,
    pub(crate) offline: bool,
}

impl Settings {
    pub(crate) fn from_args(args: &FetchArgs) -> Result<Self, Failure> {
        let config = match &args.config {
            Some(path) => read_config(path)?,
            None => ConfigFile::default(),
        };
        let pick =
            |flag: &Option<String>, file: &Option<String>| flag.clone().or_else(|| file.clone());
        let mut endpoints = Endpoints::vendors();
        if let Some(url) = pick(&args.amd_kds_url, &config.amd_kds_url) {
            endpoints = endpoints.with_amd_kds(&check_url(&url, "AMD KDS")?);
        }
        if let Some(url) = pick(&args.intel_pcs_url, &config.intel_pcs_url) {
            endpoints = endpoints.with_intel_pcs(&check_url(&url, "Intel PCS")?);
        }
        if let Some(url) = pick(&args.nvidia_rim_url, &config.nvidia_rim_url) {
            endpoints = endpoints.with_nvidia_rim(&check_url(&url, "NVIDIA RIM")?);
        }
        if let Some(url) = pick(&args.nvidia_ocsp_url, &config.nvidia_ocsp_url) {
            endpoints = endpoints.with_nvidia_ocsp(&check_url(&url, "NVIDIA OCSP")?);
        }
        let mut http = HttpOptions::default();
        if let Some(secs) = args.fetch_timeout.or(config.fetch_timeout_seconds) {
            if secs == 0 {
                return Err(Failure::usage(
                    "bad_usage",
                    "--fetch-timeout must be at least 1 second",
                ));
            }
            http.timeout = Duration::from_secs(secs);
        }
        // Not in the config file: a secret belongs in the environment (or a flag).
        http.intel_api_key = args
            .intel_api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let no_cache = args.no_cache || config.no_cache.unwrap_or(false);
        let cache_dir = if no_cache {
            None
        } else {
            args.cache_dir
                .clone()
                .or(config.cache_dir)
                .or_else(|| dirs::cache_dir().map(|d| d.join("verdict")))
        };
        Ok(Self {
            endpoints,
            http,
            cache_dir,
            grace: Duration::from_secs(
                args.cache_grace.or(config.cache_grace_seconds).unwrap_or(0),
            ),
            offline: args.offline || config.offline.unwrap_or(false),
        })
    }

    /// The cache (if any) in front of the network (unless offline).
    pub(crate) fn source(&self) -> Result<Box<dyn Source>, Failure> {
        let network: Box<dyn Source> = if self.offline {
            Box::new(Offline)
        } else {
            Box::new(
                Http::new(self.endpoints.clone(), self.http.clone())
                    .map_err(|e| Failure::usage("bad_usage", e))?,
            )
        };
        Ok(match &self.cache_dir {
            Some(dir) => Box::new(Cache::new(dir.clone(), network).with_grace(self.grace)),
            None => network,
        })
    }
}

fn read_config(path: &Path) -> Result<ConfigFile, Failure> {
    let bytes = input::read(path, InputKind::Config)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure::usage(
            "bad_config",
            format_args!("{} is not UTF-8 text", path.display()),
        )
    })?;
    toml::from_str(text).map_err(|e| {
        Failure::usage(
            "bad_config",
            format_args!("{}: {}", path.display(), e.message()),
        )
    })
}

/// A base URL must be http or https: anything else is a typo that would only show as a
/// transport error on first use.
fn check_url(url: &str, what: &str) -> Result<String, Failure> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(url.trim().to_owned())
    } else {
        Err(Failure::usage(
            "bad_usage",
            format_args!("the {what} URL {url:?} must start with https:// or http://"),
        ))
    }
}

/// Fetches what `evidence` needs beyond `bundle` (see [`collateral::resolve`]).
pub(crate) fn complete(
    evidence: &Evidence,
    expectations: &Expectations,
    bundle: Bundle,
    source: &dyn Source,
    now: UnixTime,
    progress: &dyn Progress,
) -> Result<Resolved, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage("bad_usage", format_args!("cannot start the fetcher: {e}")))?;
    Ok(runtime.block_on(collateral::resolve(
        evidence,
        expectations,
        bundle,
        source,
        now,
        progress,
    )))
}

/// Progress on standard error: a bar on a terminal; otherwise, when `log` is set, one
/// line per key (for `collateral fetch` in scripts), else nothing.
pub(crate) struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    log: bool,
    /// Keys asked so far (the bar's length grows as needs unfold).
    asked: Mutex<u64>,
}

impl Reporter {
    pub(crate) fn new(log: bool) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} fetching collateral {pos}/{len} {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self {
            bar,
            log,
            asked: Mutex::new(0),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn asking(&self, keys: &[CollateralKey]) {
        let mut asked = self.asked.lock().unwrap_or_else(|e| e.into_inner());
        *asked += keys.len() as u64;
        if let Some(bar) = &self.bar {
            bar.set_length(*asked);
        }
    }

    fn answered(&self, key: &CollateralKey, result: &Result<Fetched, FetchError>) {
        let line = match result {
            Ok(fetched) => format!("fetched {key} from {}", fetched.origin),
            Err(e) => format!("failed: {e}"),
        };
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(key.to_string());
                if self.log {
                    bar.println(line);
                }
            }
            None if self.log => crate::term::errln!("verdict: {line}"),
            None => {}
        }
    }
}
