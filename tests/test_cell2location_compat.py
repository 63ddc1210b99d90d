"""cell2location's own API walk (its `tests/test_cell2location.py`), call for call, with the package name changed.

Every call of that test is made here with the same arguments, on the same kind of data (`c2l_nb.compat.synthetic_iid`
in place of scvi-tools' `synthetic_iid`), in the same order; the sections are separate tests sharing one state. One
departure: the scvi-tools internals that produce a minibatch's model arguments
(`AnnDataLoader(model.adata_manager, ...)` and `model.module._get_fn_args_from_batch(batch)`) are replaced by c2l_nb's
`model.minibatches(...)`. Every section passes.

With `N_cells_per_location=30` c2l_nb's default model takes each spot's total from N_s, so the guide's per-spot
abundance site is `w_sf_proportion` (as in cell2location's high-resolution branch with
`use_n_s_cells_per_location_limit`); `w_sf` itself comes from `export_posterior`, `sample_posterior` and
`posterior_quantile`.
"""
import numpy as np
import pytest
import torch
from pyro.infer.autoguide import AutoHierarchicalNormalMessenger

from c2l_nb.compat import synthetic_iid
from c2l_nb import compute_weighted_average_around_target, run_colocation
from c2l_nb.cell_comm.around_target import melt_signal_target_data_frame
from c2l_nb.models import Cell2location, RegressionModel
from c2l_nb.models.simplified._cell2location_v3_no_factorisation_module import (
    LocationModelMultiExperimentLocationBackgroundNormLevelGeneAlphaPyroModel,
)
from c2l_nb.models.simplified._cell2location_v3_no_mg_module import (
    LocationModelLinearDependentWMultiExperimentLocationBackgroundNormLevelNoMGPyroModel,
)

pytestmark = pytest.mark.filterwarnings("ignore")


def export_posterior(model, dataset):
    dataset = model.export_posterior(dataset, use_quantiles=True, add_to_obsm=["q50", "q001"])  # quantile 0.50
    dataset = model.export_posterior(dataset, use_quantiles=True, add_to_obsm=["q50"], sample_kwargs={"batch_size": 10})
    dataset = model.export_posterior(dataset, use_quantiles=True)  # default
    dataset = model.export_posterior(dataset, use_quantiles=True, sample_kwargs={"batch_size": 10})


def export_posterior_sc(model, dataset):
    dataset = model.export_posterior(dataset, use_quantiles=True, add_to_varm=["q50", "q001"])  # quantile 0.50
    dataset = model.export_posterior(dataset, use_quantiles=True, add_to_varm=["q50"], sample_kwargs={"batch_size": 10})
    dataset = model.export_posterior(dataset, use_quantiles=True)  # default
    dataset = model.export_posterior(dataset, use_quantiles=True, sample_kwargs={"batch_size": 10})


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    "State shared by the sections, in order: the data set, the signatures, where to save, the device."
    use_gpu = int(torch.cuda.is_available()) if torch.cuda.is_available() else None
    return dict(save_path=str(tmp_path_factory.mktemp("c2l") / "cell2location_model_test"), use_gpu=use_gpu,
                accelerator="gpu" if use_gpu else "cpu")


def test_regression_model(s):
    save_path, accelerator = s["save_path"], s["accelerator"]
    dataset = synthetic_iid(n_labels=5)
    dataset.obsm["X_spatial"] = np.random.normal(0, 1, [dataset.n_obs, 2])
    RegressionModel.setup_anndata(dataset, labels_key="labels", batch_key="batch")
    sc_model = RegressionModel(dataset)
    sc_model.train(max_epochs=1, accelerator=accelerator)
    sc_model.train(max_epochs=1, batch_size=1000, accelerator=accelerator)
    dataset = sc_model.export_posterior(dataset, sample_kwargs={"num_samples": 10})
    sc_model.plot_QC()
    export_posterior_sc(sc_model, dataset)
    sc_model.plot_QC(summary_name="q05")
    sc_model.save(save_path, overwrite=True, save_anndata=True)
    sc_model = RegressionModel.load(save_path)
    if "means_per_cluster_mu_fg" in dataset.varm.keys():
        inf_aver = dataset.varm["means_per_cluster_mu_fg"][
            [f"means_per_cluster_mu_fg_{i}" for i in dataset.uns["mod"]["factor_names"]]
        ].copy()
    else:
        inf_aver = dataset.var[[f"means_per_cluster_mu_fg_{i}" for i in dataset.uns["mod"]["factor_names"]]].copy()
    inf_aver.columns = dataset.uns["mod"]["factor_names"]
    assert inf_aver.shape == (100, 5) and "q001_per_cluster_mu_fg" in dataset.varm
    s.update(dataset=dataset, inf_aver=inf_aver)


def test_default_model(s):
    dataset, inf_aver, save_path, accelerator = s["dataset"], s["inf_aver"], s["save_path"], s["accelerator"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(dataset, cell_state_df=inf_aver, N_cells_per_location=30, detection_alpha=200)
    st_model.train(max_epochs=1, accelerator=accelerator)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": st_model.adata.n_obs})
    export_posterior(st_model, dataset)
    st_model.plot_QC(summary_name="q05")
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(dataset, cell_state_df=inf_aver, N_cells_per_location=30, detection_alpha=200)
    st_model.train(max_epochs=1, batch_size=50, accelerator=accelerator)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": 50})
    st_model.plot_QC()
    st_model.save(save_path, overwrite=True, save_anndata=True)
    st_model = Cell2location.load(save_path)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": 50})
    st_model.posterior_quantile(q=0.5, accelerator=accelerator)
    device = f"cuda:{s['use_gpu']}" if s["use_gpu"] else "cpu"
    # cell2location: AnnDataLoader(st_model.adata_manager, shuffle=False, batch_size=50) and
    # st_model.module._get_fn_args_from_batch(batch) (scvi-tools internals); c2l_nb's own way:
    for args, kwargs in st_model.minibatches(50, shuffle=False, device=device):
        break
    med = st_model.module.guide.median(*args, **kwargs)
    st_model.module.model.compute_expected_per_cell_type(st_model.samples["post_sample_q05"], st_model.adata_manager)
    assert med["w_sf_proportion"].shape == (50, 5) and dataset.obsm["q001_cell_abundance_w_sf"].shape == (400, 5)
    s.update(dataset=dataset)


def test_messenger_guide(s):
    dataset, inf_aver, save_path, accelerator = s["dataset"].copy(), s["inf_aver"], s["save_path"], s["accelerator"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(
        dataset,
        cell_state_df=inf_aver,
        N_cells_per_location=30,
        detection_alpha=200,
        create_autoguide_kwargs={"guide_class": AutoHierarchicalNormalMessenger},
    )
    st_model.train(max_epochs=1, batch_size=50, accelerator=accelerator)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": 50})
    st_model.plot_QC()
    st_model.save(save_path, overwrite=True, save_anndata=True)
    st_model = Cell2location.load(save_path)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": 50})
    dataset = st_model.export_posterior(dataset, use_quantiles=True, add_to_obsm=["q50"], sample_kwargs={"batch_size": 50})
    dataset = st_model.export_posterior(dataset, use_quantiles=True, add_to_obsm=["q50"])
    assert dataset.uns["mod"]["post_sample_q50"]["w_sf"].shape == (dataset.n_obs, dataset.obs["labels"].nunique())


def test_amortised(s):
    dataset, inf_aver, accelerator = s["dataset"].copy(), s["inf_aver"], s["accelerator"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(
        dataset,
        cell_state_df=inf_aver,
        N_cells_per_location=30,
        detection_alpha=200,
        amortised=True,
        encoder_mode="multiple",
    )
    st_model.train(max_epochs=1, batch_size=20, accelerator=accelerator)
    var_list = ["locs.s_g_gene_add_alpha_e_inv"]
    for k, v in st_model.module.guide.named_parameters():
        k_in_vars = np.any([i in k for i in var_list])
        if k_in_vars:
            print(f"start {k} {v.requires_grad} {v.detach().cpu().numpy()}")
            v.requires_grad = False
            s_g_gene_add = v.detach().cpu().numpy()
    st_model.train(max_epochs=1, batch_size=20, accelerator=accelerator)
    for k, v in st_model.module.guide.named_parameters():
        k_in_vars = np.any([i in k for i in var_list])
        if k_in_vars:
            assert np.all(v.detach().cpu().numpy() == s_g_gene_add)
    device = f"cuda:{s['use_gpu']}" if s["use_gpu"] else "cpu"
    for args, kwargs in st_model.minibatches(50, shuffle=False, device=device):  # in place of scvi-tools' internals
        break
    st_model.module.guide.median(*args, **kwargs)
    st_model.module.guide.quantiles([0.5], *args, **kwargs)
    st_model.module.guide.mutual_information(*args, **kwargs)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": 50})
    export_posterior(st_model, dataset)


def test_guide_quantiles_list_form(s):
    "The amortised section's `guide.quantiles([0.5], *args, **kwargs)`, on the mean-field guide (not in cell2location's test)."
    dataset, inf_aver = s["dataset"], s["inf_aver"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(dataset, cell_state_df=inf_aver, N_cells_per_location=30, detection_alpha=200)
    st_model.train(max_epochs=1, batch_size=20, accelerator=s["accelerator"])
    args, kwargs = next(st_model.minibatches(50))
    q = st_model.module.guide.quantiles([0.5], *args, **kwargs)
    assert q["w_sf_proportion"].shape == (1, 50, 5)
    assert torch.equal(q["w_sf_proportion"][0], st_model.module.guide.median(*args, **kwargs)["w_sf_proportion"])


def test_colocation(s):
    dataset, save_path = s["dataset"], s["save_path"]
    _, _ = run_colocation(
        dataset,
        model_name="CoLocatedGroupsSklearnNMF",
        train_args={
            "n_fact": np.arange(3, 4),  # IMPORTANT: use a wider range of the number of factors (5-30)
            "sample_name_col": "batch",  # columns in adata_vis.obs that identifies sample
            "n_restarts": 2,  # number of training restarts
        },
        export_args={"path": f"{save_path}/CoLocatedComb/"},
    )


def test_simplified_models(s):
    dataset, inf_aver, accelerator = s["dataset"], s["inf_aver"], s["accelerator"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(
        dataset,
        cell_state_df=inf_aver,
        N_cells_per_location=30,
        detection_alpha=200,
        model_class=LocationModelMultiExperimentLocationBackgroundNormLevelGeneAlphaPyroModel,
    )
    st_model.train(max_epochs=1, accelerator=accelerator)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": st_model.adata.n_obs})
    assert "z_sr_groups_factors" not in st_model.samples["post_sample_means"]
    Cell2location.setup_anndata(dataset, batch_key="batch")
    st_model = Cell2location(
        dataset,
        cell_state_df=inf_aver,
        N_cells_per_location=30,
        detection_alpha=200,
        model_class=LocationModelLinearDependentWMultiExperimentLocationBackgroundNormLevelNoMGPyroModel,
    )
    st_model.train(max_epochs=1, accelerator=accelerator)
    dataset = st_model.export_posterior(dataset, sample_kwargs={"num_samples": 10, "batch_size": st_model.adata.n_obs})
    assert (st_model.samples["post_sample_means"]["m_g"] == 1).all()
    s.update(dataset=dataset)


def test_around_target(s):
    dataset = s["dataset"]
    normalisation_key = "detection_y_s"
    dataset.obsm[normalisation_key] = dataset.uns["mod"]["post_sample_q05"][normalisation_key]
    compute_weighted_average_around_target(
        dataset,
        target_cell_type_quantile=0.995,
        source_cell_type_quantile=0.95,
        normalisation_quantile=0.999,
        sample_key="batch",
    )
    compute_weighted_average_around_target(
        dataset,
        target_cell_type_quantile=0.995,
        source_cell_type_quantile=0.80,
        normalisation_quantile=0.999,
        normalisation_key=normalisation_key,
        genes_to_use_as_source=dataset.var_names,
        gene_symbols=None,
        sample_key="batch",
    )
    distance_bins = [[5, 50], [50, 100], [100, 150], [150, 200], [200, 250], [300, 350], [350, 400],
                     [400, 450], [450, 500], [500, 550], [550, 600], [600, 650], [650, 700]]
    weighted_avg_dict = dict()
    for distance_bin in distance_bins:
        compute_weighted_average_around_target(
            dataset,
            target_cell_type_quantile=0.995,
            source_cell_type_quantile=0.95,
            normalisation_quantile=0.999,
            distance_bin=distance_bin,
            sample_key="batch",
        )
        weighted_avg_dict[str(distance_bin)] = compute_weighted_average_around_target(
            dataset,
            target_cell_type_quantile=0.995,
            source_cell_type_quantile=0.80,
            normalisation_quantile=0.999,
            normalisation_key=normalisation_key,
            genes_to_use_as_source=dataset.var_names,
            gene_symbols=None,
            distance_bin=distance_bin,
            sample_key="batch",
        )
    long = melt_signal_target_data_frame(weighted_avg_dict, distance_bins)
    assert long.shape == (5 * 100 * len(distance_bins), 4)
