#include "drfm/io/h5_handle.hpp"

#include "drfm/io/file.hpp"
#include "io_test_paths.hpp"

#include <gtest/gtest.h>

namespace drfm::io {

TEST(HandleTest, DestructorClosesTheIdentifier) {
    hid_t id = H5I_INVALID_HID;
    {
        SpaceHandle space(DRFM_H5(H5Screate(H5S_SCALAR), "scalar space"));
        id = space.get();
        ASSERT_GT(H5Iis_valid(id), 0);
    }

    EXPECT_LE(H5Iis_valid(id), 0);
}

TEST(HandleTest, MoveTransfersOwnership) {
    SpaceHandle a(DRFM_H5(H5Screate(H5S_SCALAR), "scalar space"));
    hid_t id = a.get();

    SpaceHandle b(std::move(a));
    SpaceHandle c;
    c = std::move(b);

    EXPECT_FALSE(a);
    EXPECT_FALSE(b);
    EXPECT_EQ(c.get(), id);
    EXPECT_GT(H5Iis_valid(id), 0);
}

TEST(H5ErrorTest, FailedCallThrowsWithCallObjectStackAndHintWithoutPrinting) {
    auto comm = test::world();
    auto file = File::create(comm, test::io_test_path("h5_error"), true);
    ::testing::internal::CaptureStderr();

    std::string message;
    try {
        DRFM_H5(H5Dopen2(file.id(), "/no/such/dataset", H5P_DEFAULT), file.where("/no/such"));
    } catch (const Hdf5Error& e) {
        message = e.what();
    }
    std::string printed = ::testing::internal::GetCapturedStderr();

    EXPECT_NE(message.find("H5Dopen2(file.id(), \"/no/such/dataset\", H5P_DEFAULT)"),
              std::string::npos) << message;
    EXPECT_NE(message.find(file.path() + ":/no/such"), std::string::npos) << message;
    // The top of HDF5's own stack: "unable to open dataset" up to 1.14, "unable to synchronously
    // open dataset" in 2.x.
    EXPECT_NE(message.find("H5Dopen2(): unable to "), std::string::npos) << message;
    EXPECT_NE(message.find("open dataset"), std::string::npos) << message;
    EXPECT_NE(message.find("Hint: "), std::string::npos) << message;
    EXPECT_EQ(printed, "");
}

}  // namespace drfm::io
