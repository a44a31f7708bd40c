//! A large binary download is held in memory once: the generated server hands its `Bytes`
//! to axum without a copy, and the generated client reads the reply into one buffer that
//! becomes the `Bytes` it returns. Measured with a counting allocator around one call of
//! the report-exports crate over 127.0.0.1 (its own test binary, so nothing else
//! allocates meanwhile).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use report_exports::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use report_exports::server::{AuthRequest, LedgerlineReports, Rejection, router};
use report_exports::types::*;

/// Counts the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: usize = 48 * 1024 * 1024;

/// Serves one archive, built before the measurement starts and shared, not copied.
struct Archive(Bytes);

impl LedgerlineReports for Archive {
    type Principal = ();

    async fn authenticate(&self, _request: AuthRequest<'_>) -> Result<(), Rejection> {
        Ok(())
    }

    async fn download_archive(&self, _request: DownloadArchiveRequest, _principal: ()) -> DownloadArchiveResponse {
        DownloadArchiveResponse::Ok {
            body: self.0.clone(),
            content_length: None,
            accept_ranges: None,
        }
    }

    async fn get_health(&self, _request: GetHealthRequest) -> GetHealthResponse {
        unreachable!()
    }
    async fn get_status_page(&self, _request: GetStatusPageRequest) -> GetStatusPageResponse {
        unreachable!()
    }
    async fn list_reports(&self, _request: ListReportsRequest, _principal: ()) -> ListReportsResponse {
        unreachable!()
    }
    async fn create_report(&self, _request: CreateReportRequest, _principal: ()) -> CreateReportResponse {
        unreachable!()
    }
    async fn get_report(&self, _request: GetReportRequest, _principal: ()) -> GetReportResponse {
        unreachable!()
    }
    async fn delete_report(&self, _request: DeleteReportRequest, _principal: ()) -> DeleteReportResponse {
        unreachable!()
    }
    async fn rebuild_report(&self, _request: RebuildReportRequest, _principal: ()) -> RebuildReportResponse {
        unreachable!()
    }
    async fn export_report(&self, _request: ExportReportRequest, _principal: ()) -> ExportReportResponse {
        unreachable!()
    }
    async fn get_report_thumbnail(
        &self,
        _request: GetReportThumbnailRequest,
        _principal: (),
    ) -> GetReportThumbnailResponse {
        unreachable!()
    }
    async fn render_chart(&self, _request: RenderChartRequest, _principal: ()) -> RenderChartResponse {
        unreachable!()
    }
    async fn get_report_source(&self, _request: GetReportSourceRequest, _principal: ()) -> GetReportSourceResponse {
        unreachable!()
    }
    async fn get_archive_manifest(
        &self,
        _request: GetArchiveManifestRequest,
        _principal: (),
    ) -> GetArchiveManifestResponse {
        unreachable!()
    }
    async fn export_report_version(
        &self,
        _request: ExportReportVersionRequest,
        _principal: (),
    ) -> ExportReportVersionResponse {
        unreachable!()
    }
    async fn get_report_version_source(
        &self,
        _request: GetReportVersionSourceRequest,
        _principal: (),
    ) -> GetReportVersionSourceResponse {
        unreachable!()
    }
    async fn get_archive_part_manifest(
        &self,
        _request: GetArchivePartManifestRequest,
        _principal: (),
    ) -> GetArchivePartManifestResponse {
        unreachable!()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_download_is_held_once() {
    let archive = Bytes::from((0..SIZE).map(|i| (i % 253) as u8).collect::<Vec<u8>>());
    let addr = leave_server::spawn_loopback(router(Archive(archive.clone())))
        .await
        .expect("bind 127.0.0.1");
    let authorizer = |_: ClientAuthRequest<'_>| Ok("k3y".to_string());
    let client = Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorizer),
    )
    .expect("a client");
    // A first call warms the connection pool and the runtime; the second is measured.
    drop(
        client
            .download_archive_with("warm", None)
            .await
            .expect("downloadArchive"),
    );

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let reply = client
        .download_archive_with("arc_1", None)
        .await
        .expect("downloadArchive");
    let peak = PEAK.load(Ordering::Relaxed) - before;

    let DownloadArchiveResponse::Ok { body, .. } = reply else {
        panic!("expected 200");
    };
    assert!(body == archive, "the archive arrives unchanged");
    let ratio = peak as f64 / SIZE as f64;
    eprintln!("peak memory of one {SIZE}-byte download: {peak} bytes ({ratio:.2}x)");
    // Holding the body twice (a buffered copy beside the result) would be 2x or more.
    assert!(
        ratio < 1.25,
        "a {SIZE}-byte download peaked at {peak} bytes ({ratio:.2}x)"
    );
}
