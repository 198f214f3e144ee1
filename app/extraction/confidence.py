"""Every confidence the extractor gives, in one place.

A quote's ``confidence`` says how sure the rules are that the span is a quote of its type;
its ``speaker_confidence`` how sure they are of the speaker. Both are fixed by the rule that
fired (no learned scores); change them here, nowhere else.
"""

from __future__ import annotations

# -- quotes between marks or after a dash (attribute/marked.py) ------------------------------
#: A direct quote by how its marks were found.
MARKED = 0.9  # both marks
REPAIRED = 0.6  # a lost opening mark put back before ", says X"
DASH_MARKED = 0.85  # a region of kind "dash" reaching the marked rules
OTHER_MARKED = 0.7
#: A partial quote (a fragment in the reporter's sentence).
PARTIAL = 0.75
#: A partial quote with no cue around it, taken as the current speaker's words.
PARTIAL_UNATTRIBUTED = 0.4
#: The second half of a quote split by its attribution ("…", she said, "…").
SPLIT_SECOND_HALF = 0.85
#: Dash quotes: with an attribution, without one, and the rest of the paragraph after it.
DASH_ATTRIBUTED = 0.88
DASH_UNATTRIBUTED = 0.8
DASH_CONTINUED = 0.75

# -- quotes without marks (attribute/reported.py, attribute/sentences.py) ---------------------
REPORTED_CLAUSE = 0.65  # "X said that …"
BARE_REPORT = 0.5  # "X said he …" (no complementizer)
PREVIOUS_SENTENCE = 0.6  # "… . That is what X says."
ACCORDING_TO = 0.6  # "According to X, …"
FIRST_PERSON_LEAD = 0.6  # "…, says X." where the sentence speaks in the first person
ATTRIBUTED_SENTENCE = 0.5  # "…, says X." otherwise

# -- speakers (resolve/speakers.py) ----------------------------------------------------------
#: How the speaker was found, from strongest to weakest evidence.
SPEAKER_BY_HOW = {
    "inverted": 0.92,  # "…", said Holm
    "subject": 0.9,  # "…" Holm said
    "colon": 0.85,  # Holm: "…"
    "cue": 0.8,  # Holm said that the plan "…"
    "according": 0.8,  # according to Holm
    "intro": 0.75,  # a colon at the end of the previous paragraph
    "clause": 0.55,  # the sentence's subject, no cue verb
    "inherit": 0.6,  # a continuation paragraph: the previous speaker
    "none": 0.0,
}
#: When the rule's ``how`` is not in the table.
SPEAKER_DEFAULT = 0.5
#: Factor for a speaker reached through a pronoun.
PRONOUN_FACTOR = 0.85
#: Factors on "inherit" for a person introduced just before, and for an interview's first
#: answer; the confidence of a headline quote given to the article's only speaker.
INTRODUCED_FACTOR = 0.8
INTERVIEW_FACTOR = 0.7
SOLE_SPEAKER = 0.4
