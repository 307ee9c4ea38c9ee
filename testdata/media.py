"""Writes media.json and media-tool-results.json with Agno v3's own code.

The runs of media.json are RunOutput.to_dict() of runs whose media and tool
results Agno v3 built: an input image offloaded by media_storage (a
media_reference), inline base64 audio, files by path and by content, output
media by URL, a model audio response, and tool results replaced by the
envelopes of offload_tool_results (one stored, one whose index row is gone,
one whose payload is outside the database, one refused). The second session
holds what Agno never writes: media entries of the wrong shape.

media-tool-results.json holds the agno_tool_results rows and agno_fs payloads
of the stored results, as ResultStore.offload builds them.

Run with an Agno v3 checkout on the path (the stub modules stand in for
packages that to_dict never calls):

    PYTHONPATH=<stubs>:<agno>/libs/agno python3 testdata/media.py
"""

import base64
import hashlib
import json
import os

from agno.media import Audio, File, Image, Video
from agno.media.reference import MediaReference
from agno.models.message import Message
from agno.models.response import ToolExecution
from agno.offload.store import ResultStore, _preview_block, namespace_for, render_refused_envelope, render_stored_envelope
from agno.run.agent import RunInput, RunOutput
from agno.run.base import RunStatus

SESSION = "s-media"
RUN = "r-media-1"
CREATED = 1757500000
HERE = os.path.dirname(os.path.abspath(__file__))

store = ResultStore()


def payload(rows):
    return "\n".join(f'{{"row": {i}, "sku": "SKU-{i:05d}", "name": "Widget {i}", "stock": {i * 7 % 113}}}' for i in range(rows))


def offload(call_id, tool, args, output):
    """The index row, payload path and envelope ResultStore.offload_for_model makes."""
    path, content_type = store._plan(session_id=SESSION, run_id=RUN, tool_call_id=call_id, output=output, shared=False)
    row = store._build_row(
        session_id=SESSION, run_id=RUN, tool_call_id=call_id, tool_name=tool, tool_args=args, output=output,
        namespace=namespace_for(SESSION), path=path, content_type=content_type, user_id="u-media",
    )
    row["created_at"] = CREATED + 5
    envelope = render_stored_envelope(store._ref_from_row(row), _preview_block(output, store.preview_lines, store.preview_chars))
    return row, envelope


fetch_output = payload(450)
fetch_row, fetch_envelope = offload("call_fetch", "fetch_inventory", {"warehouse": "north"}, fetch_output)
gone_row, gone_envelope = offload("call_gone", "fetch_inventory", {"warehouse": "south"}, payload(420))
local_row, local_envelope = offload("call_local", "export_report", {"format": "csv"}, payload(400))
refused_envelope = render_refused_envelope(
    tool_name="fetch_inventory", output=payload(1200), reason='session storage is full (200000000 of 200000000 bytes) in "tool-results"',
    preview_lines=store.preview_lines, preview_chars=store.preview_chars,
)

chart = Image(
    id="img-chart-1", mime_type="image/png", format="png",
    media_reference=MediaReference(
        media_id="img-chart-1", storage_key=f"sessions/{SESSION}/img-chart-1.png", session_id=SESSION,
        storage_backend="s3", bucket="acme-agno-media", region="eu-west-1", mime_type="image/png",
        filename="q3-chart.png", size=48213, content_hash=hashlib.sha256(b"q3-chart").hexdigest(), media_type="image",
        metadata={"uploaded_by": "u-media"},
    ),
)
wav = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00"
question = Audio(id="aud-question-1", content=wav, format="wav", mime_type="audio/wav", duration=2.5)
report = File(id="file-report-1", filepath="/srv/uploads/q3-report.pdf", mime_type="application/pdf", filename="q3-report.pdf", size=182233)
csv = File(id="file-stock-1", content=b"sku,stock\nSKU-00001,7\n", mime_type="text/csv", filename="stock.csv", format="csv")
annotated = Image(id="img-annotated-1", url="https://cdn.example.com/generated/q3-annotated.png", revised_prompt="The Q3 chart, annotated", alt_text="Q3 revenue by region, annotated")
walkthrough = Video(id="vid-walkthrough-1", url="https://cdn.example.com/generated/q3.mp4", mime_type="video/mp4", duration=12.0, width=1280, height=720, fps=24.0)
answer_audio = Audio(id="aud-answer-1", content=b"RIFF-answer", mime_type="audio/wav", transcript="North is low on widgets.", expires_at=CREATED + 3600)


def tool(call_id, name, args, result):
    return ToolExecution(tool_call_id=call_id, tool_name=name, tool_args=args, result=result, created_at=CREATED + 4)


def tool_message(call_id, name, args, content):
    return Message(id=f"m-{call_id}", role="tool", content=content, tool_call_id=call_id, tool_name=name, tool_args=args, created_at=CREATED + 4)


calls = [("call_fetch", {"warehouse": "north"}, fetch_envelope), ("call_gone", {"warehouse": "south"}, gone_envelope),
         ("call_local", {"format": "csv"}, local_envelope), ("call_big", {"warehouse": "all"}, refused_envelope)]
run = RunOutput(
    run_id=RUN, agent_id="media-agent", agent_name="Media Agent", session_id=SESSION, user_id="u-media",
    content="North is low on widgets.", content_type="str", model="gpt-4o-audio-preview", model_provider="OpenAI",
    status=RunStatus.completed, created_at=CREATED,
    input=RunInput(input_content="What does this chart say about stock?", images=[chart], audios=[question], files=[report]),
    images=[annotated], videos=[walkthrough], files=[csv], response_audio=answer_audio,
    messages=[
        Message(id="m-system", role="system", content="You are an inventory assistant.", created_at=CREATED),
        Message(id="m-question", role="user", content="What does this chart say about stock?", images=[chart], audio=[question], files=[report], created_at=CREATED + 1),
        Message(id="m-calls", role="assistant", content="", created_at=CREATED + 2, tool_calls=[
            {"id": c, "type": "function", "function": {"name": "export_report" if c == "call_local" else "fetch_inventory", "arguments": json.dumps(a)}}
            for c, a, _ in calls]),
        *[tool_message(c, "export_report" if c == "call_local" else "fetch_inventory", a, e) for c, a, e in calls],
        Message(id="m-answer", role="assistant", content="North is low on widgets.", audio_output=answer_audio, images=[annotated], created_at=CREATED + 6),
    ],
    tools=[tool(c, "export_report" if c == "call_local" else "fetch_inventory", a, e) for c, a, e in calls],
)

corrupt_run = {
    "run_id": "r-media-corrupt", "agent_id": "media-agent", "session_id": "s-media-corrupt", "status": "COMPLETED", "created_at": CREATED + 100,
    "images": ["not an image", annotated.to_dict(), {"id": "img-badref", "media_reference": "not an object"}],
    "videos": "not a list",
    "response_audio": "not an object",
    "input": {"input_content": "hi", "audios": [7], "files": [report.to_dict()]},
    "messages": [{"role": "user", "content": "hi", "images": [annotated.to_dict(), None], "audio_output": [], "created_at": CREATED + 100}],
}


def row(session_id, runs, created):
    return {
        "session_id": session_id, "session_type": "agent", "agent_id": "media-agent", "user_id": "u-media",
        "session_data": {"session_name": session_id}, "agent_data": {"name": "Media Agent", "agent_id": "media-agent"},
        "runs": runs, "created_at": created, "updated_at": created + 10,
    }


with open(os.path.join(HERE, "media.json"), "w") as f:
    json.dump([row(SESSION, [run.to_dict()], CREATED), row("s-media-corrupt", [corrupt_run], CREATED + 100)], f, indent=1)
    f.write("\n")
with open(os.path.join(HERE, "media-tool-results.json"), "w") as f:
    json.dump([{"row": fetch_row, "content": fetch_output}, {"row": local_row, "content": None}], f, indent=1)
    f.write("\n")
print(base64.b64encode(wav).decode(), fetch_row["result_id"], gone_row["result_id"], local_row["result_id"])
