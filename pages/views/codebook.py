"""Codebook: the themes the agency codes its narratives and comments with. Analysts view,
add, edit and retire themes (each change a new version, with a reason), read the history,
see how many texts each pattern would suggest a theme on, and move the codebook and the
coded excerpts in and out (REFI-QDA .qdc and CSV)."""

import polars as pl
import streamlit as st

import cqi_core
from cqi_core import CQIError
from pages import _coding_widgets as cdw
from pages import _downloads as dl
from pages import _review_widgets as rw
from pages import _tables as tables
from pages import _shared as ui

ui.require_router("codebook.py")


@st.cache_data(show_spinner="Reading every narrative and comment…")
def _texts(version: str) -> pl.DataFrame:
    return cqi_core.load_excerpts(ui.store()).select("excerpt_id", "source_type", "text")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


st.title("Codebook")
st.write("A theme is a topic that comes up in what reviewers and stakeholders write. Its "
         "patterns (words or phrases) **suggest** it on a text; an analyst confirms or rejects "
         "each suggestion on the Case reviews page. Every change here is kept as a new version.")
version, coding = rw.versions()
book = cqi_core.load_codebook(ui.store())
st.caption(f"Codebook version {book.version}: {len(book)} themes in use.")
store = ui.store()
tabs = st.tabs(["Themes", "Add or edit", "History", "Export and import"])

with tabs[0]:
    tables.show(book.to_frame().select("code", "name", "definition", "include", "exclude",
                                         "examples", "patterns"),
                  "One row per theme of the codebook: its code, name, definition, when to use "
                  "it, when not to, examples and the patterns that suggest it.",
                  hide_index=True, width="stretch",
                  column_config={"code": "Code", "name": "Theme", "definition": "Definition",
                                 "include": "Use when", "exclude": "Do not use when",
                                 "examples": "Examples", "patterns": "Patterns"})
    code = st.selectbox("Look at one theme", book.codes, format_func=lambda c: book.get(c).name)
    theme = book.get(code)
    st.markdown(f"**{ui.plain(theme.name)}**: {ui.plain(theme.definition)}\n\n**Use when:** "
                f"{ui.plain(theme.include) or '–'}\n\n**Do not use when:** "
                f"{ui.plain(theme.exclude) or '–'}")
    for example in theme.examples:
        rw.quote(example, "Example (made up)")
    st.markdown("**How many texts each pattern matches**")
    tables.show(cqi_core.pattern_counts(_texts(version), theme.patterns),
                  f"One row per pattern of {theme.name}: the pattern, how many texts it matches "
                  "and any problem with it.", hide_index=True,
                  width="stretch", column_config={"pattern": "Pattern", "excerpts": "Texts matched",
                                                  "problem": "Problem"})

with tabs[1]:
    choice = st.selectbox("Theme", ["(a new theme)", *book.codes],
                          format_func=lambda c: c if c.startswith("(") else book.get(c).name)
    old = book.get(choice) or cqi_core.Theme(code="", name="")
    with st.form("cb_edit"):
        new_code = st.text_input("Code (lower case, words joined by _)", old.code, disabled=bool(old.code))
        name = st.text_input("Name", old.name)
        definition = st.text_area("Definition", old.definition)
        include = st.text_area("Use when", old.include)
        exclude = st.text_area("Do not use when", old.exclude)
        examples = st.text_area("Examples (one per line)", "\n".join(old.examples))
        patterns = st.text_area("Patterns (one per line: words, phrases or regular expressions)",
                                "\n".join(old.patterns))
        why = st.text_input("Why this change (kept with the version)")
        who = cdw.user_name("cb_edit")
        preview, save = st.columns(2)
        want_preview = preview.form_submit_button("Preview the patterns")
        want_save = save.form_submit_button("Save as a new version")
    if want_preview:
        tables.show(cqi_core.pattern_counts(_texts(version), _lines(patterns)),
                      "One row per pattern typed above: the pattern, how many texts it matches "
                      "and any problem with it.", hide_index=True, width="stretch")
    if want_save:
        theme = cqi_core.Theme(code=(old.code or new_code).strip(), name=name.strip(),
                               definition=definition.strip(), include=include.strip(),
                               exclude=exclude.strip(), examples=tuple(_lines(examples)),
                               patterns=tuple(_lines(patterns)), related=old.related,
                               ignore=old.ignore)
        try:
            cqi_core.save_theme(store, theme, who, why)
            st.success(f"Saved {theme.name}.")
            st.rerun()
        except CQIError as exc:
            st.error(str(exc))
    if old.code:
        with st.expander(f"Retire {old.name}"):
            reason = st.text_input("Why retire it", key="cb_retire_why")
            if st.button("Retire this theme", key="cb_retire"):
                try:
                    cqi_core.retire_theme(store, old.code, cdw.user_name("cb_retire"), reason)
                    st.success("Retired. Saving it again brings it back.")
                    st.rerun()
                except CQIError as exc:
                    st.error(str(exc))

with tabs[2]:
    tables.show(cqi_core.codebook_history(store).select("version", "code", "action", "date", "by",
                                                          "why", "what"),
                  "One row per change to the codebook: the version, the theme's code, the "
                  "action, the date, who made it, why and what changed.",
                  hide_index=True, width="stretch")

with tabs[3]:
    c1, c2 = st.columns(2)
    with c1:
        dl.download("Codebook (REFI-QDA .qdc)", lambda: cqi_core.export_qdc(book),
                    "codebook.qdc", "application/xml", "Codebook", "qdc")
    with c2:
        dl.download("Codebook (CSV)", lambda: cqi_core.export_codebook_csv(book),
                    "codebook.csv", "text/csv", "Codebook", "csv")
    # every coded excerpt of every source: a large table, prepared when asked for
    if st.toggle("Prepare the coded excerpts for download", key="cb_coded",
                 help="Every coded excerpt of every source, as CSV or Excel."):
        coded = cqi_core.text_for_audience(
            rw.coded(version, coding, None, None, cqi_core.SOURCE_TYPES), ui.role(), store)
        dl.table_downloads(coded, "Coded excerpts", noun="the coded excerpts",
                           file_stem="coded_excerpts")
    upload = st.file_uploader("Import a codebook (.qdc or CSV)", type=["qdc", "csv"])
    who = cdw.user_name("cb_import")
    if upload is not None and st.button("Import it as a new version"):
        importer = cqi_core.import_qdc if upload.name.lower().endswith(".qdc") else cqi_core.import_codebook_csv
        try:
            summary = importer(store, upload.getvalue(), who)
            st.success(f"Imported: {summary}")
        except CQIError as exc:
            st.error(str(exc))
