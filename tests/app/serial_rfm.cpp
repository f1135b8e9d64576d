#include "app/serial_rfm.hpp"

#include <algorithm>
#include <cmath>

namespace drfm::test::serial {
namespace {

/// ‖a − b‖²_M = (a − b) M (a − b)ᵀ.
double squared_distance(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b, const MatrixXd& m) {
    const Eigen::RowVectorXd diff = a - b;
    return std::max(0.0, (diff * m * diff.transpose())(0, 0));
}

double kernel_value(const Model& model, double d2) {
    const double l = model.bandwidth;
    switch (model.kernel) {
        case Kernel::laplace: return std::exp(-std::sqrt(d2) / l);
        case Kernel::gaussian: return std::exp(-d2 / (2.0 * l * l));
        case Kernel::gen_laplace: return std::exp(-std::pow(std::sqrt(d2) / l, model.exponent));
    }
    return 0.0;
}

/// The scalar c(x, z) of ∇_x k_M(x, z) = c · M (z − x) (§2.3); 0 for excluded pairs.
double gradient_factor(const Model& model, double d2) {
    const double l = model.bandwidth, dist = std::sqrt(d2), k = kernel_value(model, d2);
    switch (model.kernel) {
        case Kernel::laplace: return dist < 1e-10 ? 0.0 : k / (l * dist);
        case Kernel::gaussian: return k / (l * l);
        case Kernel::gen_laplace: {
            const double p = model.exponent;
            return dist < 1e-10 ? 0.0 : p / std::pow(l, p) * k * std::pow(dist, p - 2.0);
        }
    }
    return 0.0;
}

}  // namespace

MatrixXd row_normalised(MatrixXd x) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) x.row(i) /= x.row(i).norm();
    return x;
}

MatrixXd signed_one_hot(const std::vector<int>& labels, int classes) {
    MatrixXd y = -MatrixXd::Ones(static_cast<Eigen::Index>(labels.size()), classes);
    for (size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i), labels[i]) = 1.0;
    return y;
}

MatrixXd kernel_matrix(const Model& model, const MatrixXd& a, const MatrixXd& b, const MatrixXd& m) {
    MatrixXd k(a.rows(), b.rows());
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < b.rows(); ++j)
            k(i, j) = kernel_value(model, squared_distance(a.row(i), b.row(j), m));
    return k;
}

MatrixXd fit(const Model& model, const MatrixXd& x, const MatrixXd& y, const MatrixXd& m) {
    MatrixXd k = kernel_matrix(model, x, x, m);
    if (model.ridge <= 0.0) return k.partialPivLu().solve(y);
    k.diagonal().array() += model.ridge;
    Eigen::LLT<MatrixXd> llt(k);
    return llt.solve(y);
}

MatrixXd agop(const Model& model, const MatrixXd& x, const MatrixXd& alpha, const MatrixXd& m) {
    const Eigen::Index n = x.rows(), d = x.cols(), c = alpha.cols();
    // gradients[c](i, :) = ∇f_c(x_i)ᵀ = Σ_{p≠i} α_pc · factor · (x_p − x_i) M
    std::vector<MatrixXd> gradients(c, MatrixXd::Zero(n, d));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index p = 0; p < n; ++p) {
            if (p == i) continue;
            const double factor = gradient_factor(model, squared_distance(x.row(i), x.row(p), m));
            const Eigen::RowVectorXd direction = (x.row(p) - x.row(i)) * m;
            for (Eigen::Index o = 0; o < c; ++o) gradients[o].row(i) += alpha(p, o) * factor * direction;
        }
    MatrixXd out = MatrixXd::Zero(d, d);
    for (MatrixXd& g : gradients) {
        if (model.centering) g.rowwise() -= g.colwise().mean();
        out += g.transpose() * g;
    }
    out /= static_cast<double>(n);
    if (model.diag) out = MatrixXd(out.diagonal().asDiagonal());
    return out;
}

Rfm rfm(const Model& model, const MatrixXd& x, const MatrixXd& y) {
    Rfm out;
    out.m = MatrixXd::Identity(x.cols(), x.cols());
    for (int t = 0; t < model.iters; ++t) {
        out.kernel_m = out.m;
        out.alpha = fit(model, x, y, out.kernel_m);
        out.raw_agop = agop(model, x, out.alpha, out.kernel_m);
        out.m = out.raw_agop / out.raw_agop.maxCoeff();
    }
    return out;
}

MatrixXd sqrt_psd(const MatrixXd& m) {
    Eigen::SelfAdjointEigenSolver<MatrixXd> eig(m);
    const Eigen::VectorXd root = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    return eig.eigenvectors() * root.asDiagonal() * eig.eigenvectors().transpose();
}

MatrixXd relu_features(const MatrixXd& r, const MatrixXd& w) {
    return (r * w.transpose()).cwiseMax(0.0);
}

Score score(const MatrixXd& f, const std::vector<int>& labels) {
    const MatrixXd y = signed_one_hot(labels, static_cast<int>(f.cols()));
    Score s;
    for (Eigen::Index i = 0; i < f.rows(); ++i) {
        Eigen::Index best = 0;
        for (Eigen::Index c = 1; c < f.cols(); ++c)
            if (f(i, c) > f(i, best)) best = c;
        s.accuracy += best == labels[static_cast<size_t>(i)] ? 1.0 : 0.0;
    }
    s.accuracy /= static_cast<double>(f.rows());
    s.mse = (f - y).squaredNorm() / static_cast<double>(f.size());
    return s;
}

}  // namespace drfm::test::serial
