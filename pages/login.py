"""创城办登录: the office logs in with its passcode and a name (``pages.access``). Without
a configured passcode the page says how the deployer enables uploads."""
import streamlit as st

from dashboard import access

st.title("创城办登录")
st.caption("领导查看各页面无需登录。上传台账、删除批次、修改设置和查看操作日志需要创城办口令。")

if not access.passcode(access.OFFICE):
    st.warning(access.HOW_TO_ENABLE, icon=":material/lock:")
    st.stop()

with st.form("office_login"):
    name = st.text_input("您的姓名", key="login_name", help="记入上传记录和操作日志。")
    given = st.text_input("创城办口令", type="password", key="login_passcode")
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    error = access.login_office(given, name)
    if error:
        st.error(error)
    else:
        st.rerun()   # app.py then lists the office pages and opens 数据上传
