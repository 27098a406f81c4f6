"""Presenting: decks of findings for a shared screen, and the offline meeting pack.

A finding is one chart with a one-line takeaway (`findings`, `words`); decks are saved per
person; `meeting_pack` writes a deck as one HTML file that opens offline and prints one
finding per page. Every figure comes from released rows (public audiences: the
publication), and takeaways are written from those figures only.
"""
