//! CPU-heavy work (rendering a PDF) on a bounded number of blocking threads, shared fairly:
//! one account runs at most its share at once, and everyone waits at most a moment for a
//! thread. Past either, the answer is `BUSY` (503 with `Retry-After`), so one customer asking
//! for their PDF over 64 connections cannot slow everyone else's queries down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// How long a request waits for a free rendering thread before it is told to come back.
const WAIT: Duration = Duration::from_secs(2);

/// A bounded pool of rendering threads with a per-account share.
pub struct FairPool {
    threads: Arc<Semaphore>,
    share: usize,
    running: Arc<Mutex<HashMap<String, usize>>>,
}

/// One account's place in the pool while its work runs; given back on drop.
struct Turn {
    running: Arc<Mutex<HashMap<String, usize>>>,
    account: String,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = running.get_mut(&self.account) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.account);
            }
        }
    }
}

impl FairPool {
    /// `threads` at once in all, at most `share` of them for one account (at least one each).
    pub fn new(threads: usize, share: usize) -> Self {
        let threads = threads.max(1);
        FairPool { threads: Arc::new(Semaphore::new(threads)), share: share.clamp(1, threads), running: Arc::default() }
    }

    /// One thread per core, half of them for one account: another account always finds one.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from).max(2);
        FairPool::new(cores, cores / 2)
    }

    /// Runs `work` for `account` on a blocking thread, or answers `BUSY` when the account is
    /// already using its share or no thread comes free within a moment.
    pub async fn run<T, F>(&self, account: &str, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let turn = self.take_turn(account)?;
        let thread = match tokio::time::timeout(WAIT, Arc::clone(&self.threads).acquire_owned()).await {
            Ok(Ok(thread)) => thread,
            _ => return Err(busy()),
        };
        tokio::task::spawn_blocking(move || {
            let _held = (turn, thread);
            work()
        })
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))
    }

    fn take_turn(&self, account: &str) -> Result<Turn, AppError> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let n = running.entry(account.to_owned()).or_insert(0);
        if *n >= self.share {
            return Err(busy());
        }
        *n += 1;
        Ok(Turn { running: Arc::clone(&self.running), account: account.to_owned() })
    }
}

fn busy() -> AppError {
    AppError::Busy("documents are being rendered for you already; try again in a moment".into())
}

#[cfg(test)]
mod tests {
    use super::FairPool;
    use std::sync::mpsc;

    #[tokio::test]
    async fn an_account_gets_its_share_and_others_still_get_a_thread() {
        let pool = std::sync::Arc::new(FairPool::new(2, 1));
        let (release, wait) = mpsc::channel::<()>();
        let busy_pool = std::sync::Arc::clone(&pool);
        let first = tokio::spawn(async move { busy_pool.run("customer:1", move || wait.recv().is_ok()).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let again = pool.run("customer:1", || true).await;
        assert_eq!(again.err().map(|e| e.code()), Some(crate::error::codes::BUSY), "past the share");
        assert!(pool.run("customer:2", || true).await.unwrap(), "another account is served meanwhile");
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert!(pool.run("customer:1", || true).await.unwrap(), "the share is given back");
    }
}
