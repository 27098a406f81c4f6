"""Import data (analysts): upload exports, review the mapping and the validation report,
import with progress; the import history and the rejected rows."""

import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _downloads as dl
from pages import _import_widgets as w
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("data.py")

st.title("Import data")
tab_import, tab_history = st.tabs(["Import files", "Import history"])

with tab_import:
    st.write("Upload the agency's export files: one CSV, Excel or Parquet file per table "
             "(units, workers, children, episodes, placements, reports, visits, population, "
             "staff_survey, feedback) and the case review workbook. Nothing is saved until you "
             "press **Import**; a batch lands whole or not at all.")
    uploads = st.file_uploader("Export files", type=["csv", "txt", "xlsx", "parquet"],
                               accept_multiple_files=True)
    profiles = cqi_core.list_mappings()
    profile_name = st.selectbox("Mapping profile", ["None: the files use the export format", *profiles],
                                help="A saved way of reading another system's column names and codes.")
    mode = st.radio("Mode", ["snapshot", "delta"], horizontal=True,
                    format_func={"snapshot": "Snapshot: replace the tables in these files",
                                 "delta": "Delta: add new rows and update rows with the same key"}.get)
    folder = w.save_uploads(uploads)
    if folder is not None:
        try:
            base = cqi_core.load_mapping(profile_name) if profile_name in profiles else None
            plan = cqi_core.plan_import([folder], mapping=base)
            st.subheader("How the files will be read")
            profile = w.mapping_editor(plan, base)
            problems = cqi_core.plan_import([folder], mapping=profile).problems
            for p in problems:
                st.error(p)
            if mode == "snapshot" and plan.tables:
                stored = cqi_core.table_counts(ui.store())
                st.warning("Snapshot: " + "; ".join(
                    f"the {t} table ({stored.get(t, 0):,} rows now) will be replaced by these files"
                    for t in plan.tables) + ". Choose delta to add or update rows instead.")
            with st.expander("Save this mapping as a profile"):
                name = st.text_input("Profile name (letters, digits, - and _)", value="")
                if st.button("Save profile", disabled=not name):
                    path = cqi_core.save_mapping(
                        cqi_core.MappingProfile(name=name, description=f"Saved from the Import page",
                                                columns=profile.columns, codes=profile.codes,
                                                files=profile.files, date_formats=profile.date_formats))
                    st.success(f"Saved as {path}.")
            check, go = st.columns(2)
            if check.button("Check the files (nothing is saved)", width="stretch"):
                with st.spinner("Validating…"):
                    st.session_state["import_result"] = cqi_core.import_files(
                        ui.store(), [folder], mode=mode, mapping=profile, dry_run=True)
            if go.button("Import", type="primary", width="stretch", disabled=bool(problems)):
                bar = st.progress(0.0, text="Importing…")
                st.session_state["import_result"] = cqi_core.import_and_refresh(
                    ui.store(), [folder], mode=mode, mapping=profile, user=ui.role(),
                    progress=lambda msg, frac: bar.progress(min(max(frac, 0.0), 1.0), text=msg))
                bar.empty()  # cached figures key on the data version, which the import changed
        except CQIError as exc:
            st.error(str(exc))
    if "import_result" in st.session_state:
        w.show_result(st.session_state["import_result"])

with tab_history:
    history = cqi_core.import_history(ui.store())
    if history.is_empty():
        st.info("Nothing has been imported yet.")
    else:
        tables.show(history.drop("finished_at"),
                      "One row per import, newest first: the batch, when it started, the mode, "
                      "the column mapping, who ran it, the outcome and message, the files, and "
                      "the rows read, accepted and rejected.", hide_index=True, width="stretch",
                      column_config={"started_at": st.column_config.DatetimeColumn("When"),
                                     "batch_id": "Batch", "user_name": "Who"})
        batch = st.selectbox("Rejected rows of batch", history["batch_id"].to_list())
        rejected = cqi_core.rejected_rows(ui.store(), batch)
        st.caption(f"{rejected.height:,} problems recorded for batch {batch}.")
        tables.show(rejected.head(2000),
                      f"One row per problem recorded for batch {batch} (the first 2,000): the "
                      "batch, the table, the file, the row number, the column, the value, why it "
                      "was rejected and the whole record.", hide_index=True, width="stretch")
        if rejected.height:
            dl.table_downloads(rejected, f"Rejected rows of import batch {batch}",
                               noun="these rejected rows", file_stem=f"rejected_rows_batch_{batch}")
