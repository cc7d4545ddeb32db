//! The open study's charts: optimisation history with best-so-far, parameter slices,
//! parallel coordinates, parameter importance, and in-sample against out-of-sample once
//! trials are validated. Rebuilt whenever the study shown changes (at most four times a
//! second while it runs).

use std::rc::Rc;

use leptos::prelude::*;

use crate::charts::canvas::{ChartCanvas, Source};
use crate::charts::plot::{PlotCanvas, PlotHandle};
use crate::charts::study::{
    HistoryChart, ImportanceChart, IsOosChart, ParallelChart, SliceChart, StudyChartData,
};
use crate::studies::OpenStudy;

#[component]
pub fn StudyCharts(study: OpenStudy) -> impl IntoView {
    let history = RwSignal::new_local(None::<Source>);
    let slices = RwSignal::new_local(None::<PlotHandle>);
    let parallel = RwSignal::new_local(None::<PlotHandle>);
    let importance = RwSignal::new_local(None::<PlotHandle>);
    let is_oos = RwSignal::new_local(None::<PlotHandle>);
    let data = Rc::new(StudyChartData::new(
        (*study.records).clone(),
        study.plan.space.clone(),
    ));
    history.set(Some(Rc::new(HistoryChart::new(data.clone())) as Source));
    slices.set(Some(Rc::new(SliceChart::new(data.clone())) as PlotHandle));
    parallel.set(Some(Rc::new(ParallelChart::new(data.clone())) as PlotHandle));
    importance.set(Some(
        Rc::new(ImportanceChart::new(data.clone())) as PlotHandle
    ));
    is_oos.set(Some(Rc::new(IsOosChart::new(data)) as PlotHandle));
    view! {
        <div class="panel">
            <h2>"Optimisation history (best so far in yellow)"</h2>
            <ChartCanvas test_id="history-chart" label="Score of each trial and the best so far" height=320 source=history/>
        </div>
        <div class="charts-grid">
            <div class="panel">
                <h2>"Parameter importance"</h2>
                <PlotCanvas test_id="importance-chart" label="Share of the score's variance each parameter explains" source=importance/>
            </div>
            <div class="panel">
                <h2>"In sample against out of sample"</h2>
                <PlotCanvas test_id="is-oos-chart" label="Validated trials: in-sample score against out-of-sample score" source=is_oos/>
            </div>
        </div>
        <div class="panel">
            <h2>"Parameter slices"</h2>
            <PlotCanvas test_id="slice-chart" label="Score against each parameter" source=slices/>
        </div>
        <div class="panel">
            <h2>"Parallel coordinates"</h2>
            <PlotCanvas test_id="parallel-chart" label="Each trial's parameters and score across parallel axes" source=parallel/>
        </div>
    }
}
