"""Diary data: reading, validation and the calendar grid."""

from .diary import Diary, DiaryIssue, read_diary

__all__ = ["Diary", "DiaryIssue", "read_diary"]
