"""The pages of the app, their sections, and the audiences each one serves.

The router (app.py) shows a person only the pages of their audience; each page also
refuses audiences it does not serve (`ui.require_router`), and the core decides what each
audience receives, so this table is convenience, not protection.
"""

from __future__ import annotations

EVERYONE = ("analyst", "supervisor", "stakeholder", "youth")
INTERNAL = ("analyst", "supervisor")
ANALYST = ("analyst",)
PUBLIC_TOO = ("analyst", "supervisor", "stakeholder")

# Section -> (page file in pages/views/, title, icon, url path, roles served), in the
# order shown. The first page a role is served is where that role lands.
PAGES = {
    "Agency": [
        ("scorecard.py", "Scorecard", "dashboard", "", PUBLIC_TOO),
        ("what_changed.py", "What changed", "notifications", "what-changed", INTERNAL),
        ("trends.py", "Trends", "show_chart", "trends", INTERNAL),
        ("indicator.py", "Indicators", "insights", "indicator", PUBLIC_TOO),
        ("compare.py", "Compare units", "scatter_plot", "compare", PUBLIC_TOO),
        ("disparities.py", "Disparities", "balance", "disparities", PUBLIC_TOO),
        ("time_in_care.py", "Time in care", "hourglass_bottom", "time-in-care", PUBLIC_TOO),
        ("home.py", "Agency overview", "home", "overview", PUBLIC_TOO),
    ],
    "Units and improvement": [
        ("unit_profile.py", "Unit profile", "groups", "unit", INTERNAL),
        ("bright_spots.py", "Bright spots", "emoji_objects", "bright-spots", INTERNAL),
        ("improvement.py", "Improvement cycles", "autorenew", "improvement", PUBLIC_TOO),
        ("present.py", "Presentation mode", "slideshow", "present", PUBLIC_TOO),
    ],
    "Practice and values": [
        ("mission.py", "Mission alignment", "flag", "mission", INTERNAL),
        ("catalog.py", "Indicator catalog", "menu_book", "catalog", INTERNAL),
    ],
    "Reviews and voices": [
        ("case_reviews.py", "Case reviews", "rate_review", "case-reviews", INTERNAL),
        ("conjoint.py", "Reviews and data", "join_inner", "reviews-and-data", ANALYST),
        ("voices.py", "Voices", "forum", "voices", INTERNAL),
        ("codebook.py", "Codebook", "label", "codebook", ANALYST),
    ],
    "For young people": [
        ("youth_home.py", "How young people are doing", "diversity_3", "young-people", EVERYONE),
        ("youth_voices.py", "What young people told us", "record_voice_over", "young-voices", EVERYONE),
        ("youth_words.py", "Words we use", "dictionary", "words", EVERYONE),
    ],
    "Data": [
        ("data.py", "Import data", "upload_file", "data", ANALYST),
        ("data_quality.py", "Data quality", "fact_check", "data_quality", ANALYST),
        ("audit.py", "Export log", "history", "export-log", ANALYST),
    ],
}


VIEWS = "pages/views"
"""Where the page scripts are, relative to app.py: a sub-folder, which Streamlit does not
run on its own, so a page is reached only through the router's st.Page objects."""


def script(page_file: str) -> str:
    """The path of a page script, as the router's st.Page and st.page_link take it."""
    return f"{VIEWS}/{page_file}"


def roles_of(page_file: str) -> tuple[str, ...] | None:
    """The audiences a page file serves (None for a file not in the table)."""
    for pages in PAGES.values():
        for file, *_, roles in pages:
            if file == page_file:
                return roles
    return None


def title_of(page_file: str) -> str:
    """A page's title in the menu."""
    return next(p[1] for pages in PAGES.values() for p in pages if p[0] == page_file)


def served(role: str) -> dict[str, list[tuple]]:
    """The sections and pages `role` sees, in order (empty sections left out)."""
    out = {section: [p for p in pages if role in p[4]] for section, pages in PAGES.items()}
    return {section: pages for section, pages in out.items() if pages}


FOR_WHOM = {ANALYST: "analysts", INTERNAL: "staff (analysts and supervisors)",
            PUBLIC_TOO: "staff and stakeholder meetings"}
"""Who a page is for, in words, by the audiences it serves (EVERYONE's pages refuse nobody)."""


FOR_WHOM_YOUTH = {ANALYST: "people who work at the agency",
                  INTERNAL: "people who work at the agency",
                  PUBLIC_TOO: "people who work at the agency and for meetings with partners"}
"""The same, in words for young people (a youth advisory board reads them)."""


def for_whom(page_file: str, role: str | None = None) -> str:
    """Who a page is for, in plain words ("analysts"), said to a person it does not serve;
    to young people (`role` youth) in their words ("people who work at the agency")."""
    words = FOR_WHOM_YOUTH if role == "youth" else FOR_WHOM
    return words.get(roles_of(page_file), "other people")


def not_for_you(page_file: str, title: str, role: str) -> str:
    """The sentence a person reads at the address of a page that is not for them: whom it is
    for, in plain words, and where their own pages are."""
    if role == "youth":  # the page's name is above it, and may be a staff word ("Indicator")
        return (f"This page is for {for_whom(page_file, role)}. It is not one of the pages "
                "for young people. Your pages are in the menu.")
    return (f"**{title}** is a page for {for_whom(page_file, role)}, so it is not part of your "
            "view of the dashboard. Your pages are listed in the menu.")


def not_served(role: str) -> list[tuple]:
    """The pages `role` is not served that have an address of their own (the root is always
    the landing page), in table order: there the router says whom each page is for, where
    Streamlit would say the page "does not seem to exist"."""
    return [p for pages in PAGES.values() for p in pages if role not in p[4] and p[3]]
