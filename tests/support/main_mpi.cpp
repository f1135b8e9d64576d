// The main of every unit-test executable: MPI and Kokkos around GoogleTest. Only rank 0 prints the
// usual report; a failure on any other rank is printed with its rank and fails the test too.
#include "drfm/core/log.hpp"
#include "drfm/mpi/comm.hpp"
#include "drfm/mpi/environment.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace {
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
public:
    explicit RankFailurePrinter(int rank) : rank_(rank) {}
    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (result.failed()) {
            std::cerr << "[rank " << rank_ << "] " << result.file_name() << ":"
                      << result.line_number() << ": " << result.summary() << std::endl;
        }
    }

private:
    int rank_;
};
}  // namespace

int main(int argc, char** argv) {
    drfm::mpi::Environment env(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    auto world = drfm::mpi::Comm::borrow(MPI_COMM_WORLD);
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    if (world.rank() != 0) {
        delete listeners.Release(listeners.default_result_printer());
        listeners.Append(new RankFailurePrinter(world.rank()));
    }
    int local_failed = RUN_ALL_TESTS();
    int failed = world.max(local_failed);
    return failed;
}
