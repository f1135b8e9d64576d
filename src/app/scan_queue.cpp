#include "drfm/app/scan_queue.hpp"

#include "drfm/app/signals.hpp"

#include <algorithm>
#include <numeric>
#include <thread>

namespace drfm::app {
namespace {

constexpr int to_coordinator = 1, from_coordinator = 2;  // tags
constexpr int coordinator = 0;                            // world rank
// Message kinds. To the coordinator: request, done, done_stopped (value: group);
// from it: assign (value: run or -1), stop, final.
enum Kind : std::int64_t {
    request = 1, done = 2, done_stopped = 3, assign = 4, stop = 5, final = 6
};

}  // namespace

std::vector<std::int64_t> largest_first(const std::vector<std::int64_t>& runs,
                                        const std::vector<double>& work) {
    std::vector<std::int64_t> order = runs;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int64_t a, std::int64_t b) { return work[a] > work[b]; });
    return order;
}

RunDispatcher::RunDispatcher(const mpi::Comm& world, std::vector<std::int64_t> queue,
                             int group_size)
    : channel_(world.dup()), queue_(std::move(queue)), group_size_(group_size),
      groups_(world.size() / group_size), group_(world.rank() / group_size) {
    next_ = std::min<std::size_t>(queue_.size(), static_cast<std::size_t>(groups_));
    done_.assign(static_cast<std::size_t>(groups_), 0);
    notified_ = done_;
}

std::int64_t RunDispatcher::first() const {
    return static_cast<std::size_t>(group_) < queue_.size() ? queue_[group_] : -1;
}

void RunDispatcher::send(int to, int tag, std::int64_t kind, std::int64_t value) const {
    std::int64_t message[2] = {kind, value};
    DRFM_MPI(MPI_Send(message, 2, MPI_INT64_T, to, tag, channel_.get()));
}

RunDispatcher::Message RunDispatcher::receive(int from, int tag) const {
    std::int64_t message[2] = {0, 0};
    MPI_Status status;
    DRFM_MPI(MPI_Recv(message, 2, MPI_INT64_T, from, tag, channel_.get(), &status));
    return {message[0], message[1], status.MPI_SOURCE};
}

bool RunDispatcher::probe(int from, int tag) const {
    int flag = 0;
    DRFM_MPI(MPI_Iprobe(from, tag, channel_.get(), &flag, MPI_STATUS_IGNORE));
    return flag != 0;
}

// ---- coordinator (world rank 0) ----

std::int64_t RunDispatcher::take() {
    if (stopping_ || next_ >= queue_.size()) return -1;
    return queue_[next_++];
}

void RunDispatcher::set_stopping() {
    if (stopping_) return;
    stopping_ = true;
    for (int g = 1; g < groups_; ++g) {
        if (done_[g] || notified_[g]) continue;
        send(g * group_size_, from_coordinator, stop, 0);
        notified_[g] = 1;
    }
}

void RunDispatcher::handle_at_coordinator(const Message& m) {
    if (m.kind == Kind::request) {
        send(m.source, from_coordinator, assign, take());
        return;
    }
    done_[m.value] = 1;  // done or done_stopped: its last message
    send(m.source, from_coordinator, final, 0);
    if (m.kind == done_stopped) set_stopping();
}

// ---- worker roots ----

void RunDispatcher::request() {
    if (outstanding_ || assigned_ || remote_stop_) return;
    send(coordinator, to_coordinator, Kind::request, group_);
    outstanding_ = true;
}

/// Returns true on FINAL.
bool RunDispatcher::handle_at_worker(const Message& m) {
    if (m.kind == assign) {
        outstanding_ = false;
        assigned_ = m.value;
    } else if (m.kind == stop) {
        remote_stop_ = true;
    }
    return m.kind == final;
}

// ---- both ----

void RunDispatcher::started() {
    if (group_ != 0) request();
}

bool RunDispatcher::poll(bool stopping) {
    if (group_ == 0) {
        if (stopping) set_stopping();
        while (probe(MPI_ANY_SOURCE, to_coordinator))
            handle_at_coordinator(receive(MPI_ANY_SOURCE, to_coordinator));
        return stopping_;
    }
    while (probe(coordinator, from_coordinator))
        handle_at_worker(receive(coordinator, from_coordinator));
    return remote_stop_;
}

std::int64_t RunDispatcher::next() {
    if (group_ == 0) return take();
    request();
    while (!assigned_ && !remote_stop_) handle_at_worker(receive(coordinator, from_coordinator));
    if (remote_stop_) return -1;
    const std::int64_t run = *assigned_;
    assigned_.reset();
    return run;
}

void RunDispatcher::finish(bool stopped) {
    if (group_ != 0) {
        send(coordinator, to_coordinator, stopped ? done_stopped : done, group_);
        while (!handle_at_worker(receive(coordinator, from_coordinator))) {
        }
        return;
    }
    if (stopped) set_stopping();
    done_[0] = 1;
    // Poll rather than block, so that a stop signal reaching only this rank still reaches the
    // groups that are computing.
    while (std::find(done_.begin(), done_.end(), 0) != done_.end()) {
        if (stop_signal() != 0) set_stopping();
        if (probe(MPI_ANY_SOURCE, to_coordinator))
            handle_at_coordinator(receive(MPI_ANY_SOURCE, to_coordinator));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::vector<std::int64_t> RunDispatcher::unassigned() const {
    return {queue_.begin() + static_cast<std::ptrdiff_t>(next_), queue_.end()};
}

}  // namespace drfm::app
