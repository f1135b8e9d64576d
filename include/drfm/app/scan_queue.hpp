#pragma once
/// @file
/// Hands the runs of a scan to rank groups, largest first, while they compute.
///
/// World rank 0 (the root of group 0) coordinates; it computes too. The first runs of the queue go
/// to groups 0, 1, ... without a message. When a group starts a run, its root asks the coordinator
/// for its next one (one request outstanding), so the answer is waiting when the run ends; the
/// coordinator answers at its own layer boundaries, and without delay once group 0 has no more
/// work. A group that stops (signal, wall time) tells the coordinator, which stops handing out runs
/// and tells the other groups to stop at their next layer boundary. Every root ends with DONE and
/// waits for FINAL, so no message is left unmatched. Point-to-point messages of two int64 on a
/// duplicate of the world communicator; MPI_THREAD_FUNNELED is enough (no helper thread).
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace drfm::app {

/// Indices of `work` by descending work (ties: lower index first): the order runs are handed out.
std::vector<std::int64_t> largest_first(const std::vector<std::int64_t>& runs,
                                        const std::vector<double>& work);

class RunDispatcher {
public:
    /// Collective over world. `queue`: the runs to do, in hand-out order; group g is world ranks
    /// [g·group_size, (g+1)·group_size), its root the first of them.
    RunDispatcher(const mpi::Comm& world, std::vector<std::int64_t> queue, int group_size);

    /// My group's first run (queue[group]), -1 when the queue is shorter. Any rank.
    std::int64_t first() const;

    // The rest is for group roots only.

    /// My group started a run: a worker root asks for its next run now.
    void started();
    /// Between layers: the coordinator answers requests; a worker root reads a stop notice.
    /// `stopping`: my group stops. Returns true when another group has stopped.
    bool poll(bool stopping);
    /// My group's next run after the current one; -1 when none is left or a stop is known.
    std::int64_t next();
    /// Once, when my group has no more work (stopped: it stopped early). The coordinator serves
    /// the other groups until all are done (and watches for a stop signal meanwhile); a worker
    /// root reports and waits for the coordinator's last message.
    void finish(bool stopped);
    /// Coordinator: runs not handed out yet (for the estimate of the remaining time).
    std::vector<std::int64_t> unassigned() const;

private:
    struct Message {
        std::int64_t kind = 0, value = 0;
        int source = 0;
    };
    void send(int to, int tag, std::int64_t kind, std::int64_t value) const;
    Message receive(int from, int tag) const;
    bool probe(int from, int tag) const;
    // coordinator
    std::int64_t take();
    void handle_at_coordinator(const Message& m);
    void set_stopping();
    // worker
    void request();
    bool handle_at_worker(const Message& m);

    mpi::Comm channel_;
    std::vector<std::int64_t> queue_;
    int group_size_ = 1, groups_ = 1, group_ = 0;
    // coordinator state
    std::size_t next_ = 0;
    std::vector<char> done_, notified_;
    bool stopping_ = false;
    // worker state
    bool outstanding_ = false, remote_stop_ = false;
    std::optional<std::int64_t> assigned_;
};

}  // namespace drfm::app
